import {readFileSync, statSync} from 'node:fs'
import {writeFileAtomic} from './files.js'

/** Set by scripts/build.mjs in the hot bundles only: the cache key changes with every build. */
declare const __HA_TOOL_BUILD__: string | undefined

/**
 * The validated config as JSON, keyed by the file's identity (inode, size, mtime and ctime, to
 * the nanosecond) and the build, so `check` and `notify` skip TOML parsing and validation on
 * every keepalived run after the first (~1 ms of a ~35 ms run). Any write to the file changes
 * its ctime, so an edited file is always read again; a config that fails validation is never
 * cached. Only the hot bundles use it; anything wrong with the cache just means a normal load.
 */
export function withConfigCache<T>(path: string, load: () => T, dir = process.env.HA_TOOL_CACHE_DIR ?? '/run/ha-tool/.config-cache'): T {
  const build = typeof __HA_TOOL_BUILD__ === 'string' ? __HA_TOOL_BUILD__ : undefined
  if (!build) return load()
  let key: string
  try {
    const st = statSync(path, {bigint: true})
    key = `${build}:${path}:${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`
  } catch {
    return load() // the real load says what is wrong with the file
  }
  const file = `${dir}/${fnv1a(path)}.json`
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as {key?: string; value?: T}
    if (cached.key === key && cached.value !== undefined) return cached.value
  } catch { /* no cache yet, or unreadable: load it */ }
  const value = load()
  try {
    writeFileAtomic(file, JSON.stringify({key, value}), {mode: 0o600, mkdir: true, durable: false})
  } catch { /* a read-only /run only costs the parse next time */ }
  return value
}

/** 32-bit FNV-1a of the path, as a file name (not node:crypto: ~5 ms to load). */
function fnv1a(s: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(16).padStart(8, '0')
}
