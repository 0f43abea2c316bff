/** One path component as lstat saw it. */
export type PathComponent = {path: string; uid: number; gid: number; mode: number; kind: 'dir' | 'file' | 'symlink' | 'other'}

/**
 * keepalived's script-security rule (notify.c check_security, 2.2.7), applied to every component
 * from `/` down to the script, exactly as keepalived does: each one owned by root; a regular file,
 * or a directory WITHOUT the sticky bit, must not be writable by its group (unless the group is
 * root) nor by others. A sticky directory such as /tmp (1777) passes, a world-writable one without
 * the sticky bit does not; a symlink's own mode does not count (its target's chain is checked).
 * The last component must be a regular file or a symlink. Returns one line per offending
 * component, with the fix. test/integration/operate/script-security.test.ts holds it against the
 * real `keepalived -t`.
 */
export function scriptSecurityProblems(chain: PathComponent[]): Array<{path: string; problem: string; fix: string}> {
  const out: Array<{path: string; problem: string; fix: string}> = []
  chain.forEach((c, idx) => {
    const last = idx === chain.length - 1
    const mode = (c.mode & 0o7777).toString(8).padStart(4, '0')
    if (c.uid !== 0) out.push({path: c.path, problem: `owned by uid ${c.uid}, not root`, fix: `chown root ${c.path}`})
    const writeChecked = c.kind === 'file' || (c.kind === 'dir' && (c.mode & 0o1000) === 0)
    if (writeChecked && (c.mode & 0o020) !== 0 && c.gid !== 0) out.push({path: c.path, problem: `group-writable (mode ${mode}, gid ${c.gid})`, fix: `chmod g-w ${c.path}`})
    if (writeChecked && (c.mode & 0o002) !== 0) out.push({path: c.path, problem: `world-writable (mode ${mode})${c.kind === 'dir' ? ' without the sticky bit' : ''}`, fix: `chmod o-w ${c.path}`})
    if (last && c.kind !== 'file' && c.kind !== 'symlink') out.push({path: c.path, problem: 'not a regular file', fix: 'reinstall ha-tool with scripts/install'})
  })
  return out
}

/** `/usr/lib/ha-tool/bin/run.js` -> `/`, `/usr`, `/usr/lib`, ... the components keepalived checks in order. */
export function pathPrefixes(path: string): string[] {
  const parts = path.split('/').filter(Boolean)
  return ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)]
}
