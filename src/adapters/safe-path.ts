import {lstatSync, type Stats} from 'node:fs'

/** The distribution's own directories: always on the PATH children get. */
export const SAFE_PATH = '/usr/sbin:/usr/bin:/sbin:/bin'

/**
 * The PATH every child program is looked up in and inherits. keepalived and systemd hand their
 * PATH to scripts, and systemd's default puts /usr/local first, which Debian makes root:staff
 * 2775: a member of staff could plant `ip` or `nft` there and root would run it. So a directory
 * of the inherited PATH is kept only when it passes keepalived's own script-security rule (every
 * component root-owned, not writable by a non-root group or by others, a sticky directory on
 * the way excepted but never the directory itself), and SAFE_PATH's directories are always there.
 */
export function safePath(inherited = process.env.PATH ?? ''): string {
  if (cached?.from === inherited) return cached.path
  // Each directory on the way is looked at once (/, /usr, /root... are shared by most entries).
  const seen = new Map<string, Stats | undefined>()
  const stat = (p: string) => {
    if (!seen.has(p)) { try { seen.set(p, lstatSync(p)) } catch { seen.set(p, undefined) } }
    return seen.get(p)
  }
  const dirs = inherited.split(':').filter((d) => d.startsWith('/') && trusted(d, stat))
  for (const d of SAFE_PATH.split(':')) if (!dirs.includes(d)) dirs.push(d)
  cached = {from: inherited, path: [...new Set(dirs)].join(':')}
  return cached.path
}

let cached: {from: string; path: string} | undefined

/** The environment for a child: `env` (default ours) with PATH made safe. */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {...env, PATH: safePath(env.PATH ?? process.env.PATH)}
}

function trusted(dir: string, stat: (path: string) => Stats | undefined): boolean {
  const parts = dir.split('/').filter(Boolean)
  for (let i = 0; i <= parts.length; i++) {
    const st = stat(`/${parts.slice(0, i).join('/')}`)
    if (!st) return false
    if (st.uid !== 0) return false
    // Sticky helps a directory on the way, not the one programs are looked up in: anyone may create files there.
    const sticky = i < parts.length && st.isDirectory() && (st.mode & 0o1000) !== 0
    if (!sticky && (((st.mode & 0o020) !== 0 && st.gid !== 0) || ((st.mode & 0o002) !== 0 && !st.isSymbolicLink()))) return false
  }
  return true
}
