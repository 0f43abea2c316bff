import {readFileSync} from 'node:fs'
import {basename} from 'node:path'
import {ensureDir, writeFileAtomic} from './files.js'

export const DROPIN_NAME = 'ha-tool.conf'

/**
 * The runtime drop-in that makes networkd itself take the WAN down or up:
 * <runtime dir>/<network file>.d/ha-tool.conf with `[Link] ActivationPolicy=down|up`.
 * Returns false when the file already says that: rewriting an identical drop-in and
 * reloading makes networkd reconfigure the link (it compares stat data, not content) and
 * the address vanishes for ~40 ms. Written 0644: an unreadable drop-in makes the whole
 * .network fail to load and the WAN unmanaged.
 */
export function writeActivationDropin(runtimeDir: string, networkFile: string, policy: 'up' | 'down'): boolean {
  const dir = `${runtimeDir}/${basename(networkFile)}.d`
  const path = `${dir}/${DROPIN_NAME}`
  const content = `# Written by ha-tool: the WAN is ${policy === 'up' ? 'up on MASTER' : 'down while not MASTER'}.\n[Link]\nActivationPolicy=${policy}\n`
  try {
    if (readFileSync(path, 'utf8') === content) return false
  } catch { /* not there yet */ }
  // Explicitly 0755: under keepalived's umask 0177 mkdir's mode would leave it 0600, unreadable to systemd-network.
  ensureDir(dir, 0o755)
  writeFileAtomic(path, content, {mode: 0o644})
  return true
}

