import {resolve} from 'node:path'
import {SILENCE_TABLE} from '../core/nft/silence.js'
import {renderConfigToml} from '../config/render.js'
import type {Config} from '../config/schema.js'
import {authorizedKeysExample} from '../core/examples/authorized-keys.js'
import {conntrackdExample} from '../core/examples/conntrackd.js'
import {dnsmasqExample} from '../core/examples/dnsmasq.js'
import {dnsmasqScriptExample} from '../core/examples/dnsmasq-script.js'
import {keepalivedExample, type KeepalivedMode} from '../core/examples/keepalived.js'
import {networkdExample, networkdExampleFile, networkdFiles, type NetworkdFileName} from '../core/examples/networkd.js'
import {nftablesExample} from '../core/examples/nftables.js'
import type {ExampleSite} from '../core/examples/site.js'
import {trackFilePath} from './health-settings.js'

export const EXAMPLE_KINDS = ['keepalived', 'networkd', 'conntrackd', 'dnsmasq', 'dnsmasq-script', 'nftables', 'ha-tool', 'authorized-keys'] as const
export type ExampleKind = (typeof EXAMPLE_KINDS)[number]

/** Where the daemon's health monitor and `maintenance` write keepalived's track_file. */
export const trackFileOf = trackFilePath

export function siteFromConfig(config: Config, configPath: string | undefined): ExampleSite {
  // keepalived runs scripts from /: a relative --config written into keepalived.conf names another file.
  const absolute = configPath === undefined ? undefined : resolve(configPath)
  return {...config, binary: config.doctor.binary, configPath: absolute, trackFile: trackFileOf(config), silenceTable: SILENCE_TABLE}
}

/**
 * One known-good configuration file for the setup of DESIGN.md section 1, from the values of
 * the ha-tool config (`configPath` undefined: from the defaults, placeholders marked).
 */
export function buildExample(kind: ExampleKind, config: Config, configPath: string | undefined, mode: KeepalivedMode = 'fifo'): string {
  const site = siteFromConfig(config, configPath)
  switch (kind) {
    case 'keepalived': return keepalivedExample(site, mode)
    case 'networkd': return networkdExample(site)
    case 'conntrackd': return conntrackdExample(site)
    case 'dnsmasq': return dnsmasqExample(site)
    case 'dnsmasq-script': return dnsmasqScriptExample(site)
    case 'nftables': return nftablesExample(site)
    case 'authorized-keys': return authorizedKeysExample(site)
    case 'ha-tool': {
      const from = configPath ? `from ${configPath}` : 'from the defaults: set wan.interface, lan.address and sync.address for this node'
      return renderConfigToml(config, {header: `/etc/ha-tool/config.toml, by \`ha-tool config example ha-tool\` ${from}.\nEvery key with what it does; only wan.interface is required.`})
    }
  }
}

/** A file of an example with the path it is installed at. */
export type ExampleFile = {path: string; text: string}

/**
 * The networkd example as separate files, each whole with its own header (`config example networkd
 * --file/--output-dir`): all of them, or the one named.
 */
export function buildNetworkdFiles(config: Config, configPath: string | undefined, only?: NetworkdFileName): ExampleFile[] {
  const site = siteFromConfig(config, configPath)
  const names = only ? [only] : networkdFiles(site).map((f) => f.name)
  return names.map((n) => networkdExampleFile(site, n)).map(({path, text}) => ({path, text}))
}

/**
 * Writes the files under `dir` at their install paths (dir "/" installs them), each atomically
 * (temp file + rename, mode 0644; missing directories 0755). Returns the paths written.
 */
export function writeExampleFiles(files: readonly ExampleFile[], dir: string, write: (path: string, text: string) => void): string[] {
  const root = resolve(dir)
  return files.map((f) => {
    const path = root === '/' ? f.path : `${root}${f.path}`
    write(path, f.text)
    return path
  })
}
