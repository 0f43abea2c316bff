import {closeSync, constants, fstatSync, openSync, readFileSync, statSync} from 'node:fs'
import {ensureDir, unsafeDirReason, writeFileAtomic} from './files.js'

/** Set by scripts/build.mjs in the hot bundles only: the cache key changes with every build. */
declare const __HA_TOOL_BUILD__: string | undefined

export const DEFAULT_CACHE_DIR = '/run/ha-tool/.config-cache'

/**
 * The validated config as JSON, keyed by the file's identity (inode, size, mtime and ctime, to
 * the nanosecond) and the build, so `check` and `notify` skip TOML parsing and validation on
 * every keepalived run after the first. Any write to the file changes its ctime, so an edited
 * file is always read again; a config that fails validation is never cached.
 * It runs as root and what it returns is obeyed (start_command...), so it trusts nothing it did
 * not make: the directory (HA_TOOL_CACHE_DIR too) must be a real directory of ours, not
 * group/other-writable; the file ours, regular, mode 0600, not a symlink; the value must pass
 * `valid`. Anything wrong is a cache miss, never an error. HA_TOOL_CONFIG_CACHE=0 turns it off.
 */
export function withConfigCache<T>(path: string, load: () => T, valid: (value: unknown) => value is T, dir = process.env.HA_TOOL_CACHE_DIR ?? DEFAULT_CACHE_DIR): T {
  const build = typeof __HA_TOOL_BUILD__ === 'string' ? __HA_TOOL_BUILD__ : undefined
  if (!build || process.env.HA_TOOL_CONFIG_CACHE === '0') return load()
  let key: string
  try {
    const st = statSync(path, {bigint: true})
    key = `${build}:${path}:${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`
  } catch {
    return load() // the real load says what is wrong with the file
  }
  const file = `${dir}/${fnv1a(path)}.json`
  const cached = readOwn(dir, file)
  if (cached !== undefined && cached.key === key && valid(cached.value)) return cached.value
  const value = load()
  try {
    ensureDir(dir, 0o700)
    if (!unsafeDirReason(dir)) writeFileAtomic(file, JSON.stringify({key, value}), {mode: 0o600, durable: false})
  } catch { /* a read-only /run only costs the parse next time */ }
  return value
}

/** The cache entry, if the directory and the file are ours alone; undefined otherwise. */
function readOwn(dir: string, file: string): {key?: unknown; value?: unknown} | undefined {
  let fd: number | undefined
  try {
    if (unsafeDirReason(dir)) return undefined
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    const st = fstatSync(fd)
    if (!st.isFile() || st.uid !== (process.geteuid?.() ?? 0) || (st.mode & 0o077) !== 0 || st.size > 1024 * 1024) return undefined
    const parsed = JSON.parse(readFileSync(fd, 'utf8')) as unknown
    return typeof parsed === 'object' && parsed !== null ? parsed as {key?: unknown; value?: unknown} : undefined
  } catch {
    return undefined // no cache yet, unreadable or malformed: load it
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** 32-bit FNV-1a of the path, as a file name (not node:crypto: ~5 ms to load). */
function fnv1a(s: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(16).padStart(8, '0')
}
