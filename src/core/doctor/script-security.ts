/** One path component as lstat saw it. */
export type PathComponent = {path: string; uid: number; gid: number; mode: number; kind: 'dir' | 'file' | 'symlink' | 'other'}

/**
 * keepalived's script-security rule (notify.c check_security), applied to every component from
 * `/` down to the script: owned by root, not writable by group (unless the group is root) or by
 * others (a directory with the sticky bit, like /tmp, is exempt), and the last one a regular
 * file or a symlink. Returns one line per offending component, with the fix.
 */
export function scriptSecurityProblems(chain: PathComponent[]): Array<{path: string; problem: string; fix: string}> {
  const out: Array<{path: string; problem: string; fix: string}> = []
  chain.forEach((c, idx) => {
    const last = idx === chain.length - 1
    const mode = (c.mode & 0o7777).toString(8).padStart(4, '0')
    if (c.uid !== 0) out.push({path: c.path, problem: `owned by uid ${c.uid}, not root`, fix: `chown root ${c.path}`})
    const sticky = c.kind === 'dir' && (c.mode & 0o1000) !== 0
    if ((c.mode & 0o020) !== 0 && c.gid !== 0 && !sticky) out.push({path: c.path, problem: `group-writable (mode ${mode}, gid ${c.gid})`, fix: `chmod g-w ${c.path}`})
    if ((c.mode & 0o002) !== 0 && !sticky && c.kind !== 'symlink') out.push({path: c.path, problem: `world-writable (mode ${mode})`, fix: `chmod o-w ${c.path}`})
    if (last && c.kind !== 'file' && c.kind !== 'symlink') out.push({path: c.path, problem: 'not a regular file', fix: 'reinstall ha-tool with scripts/install'})
  })
  return out
}

/** `/usr/lib/ha-tool/bin/run.js` -> `/`, `/usr`, `/usr/lib`, ... the components keepalived checks in order. */
export function pathPrefixes(path: string): string[] {
  const parts = path.split('/').filter(Boolean)
  return ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)]
}
