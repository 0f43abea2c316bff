import {shellQuote, shellWords} from '../parse/shell-words.js'
import {DEFAULT_CONFIG_PATH, DNSMASQ_HOOK, type ExampleSite} from './site.js'

/**
 * What the shipped wrapper (scripts/packaging/dnsmasq-script, installed as DNSMASQ_HOOK) has baked in: the
 * default state.dir and doctor.binary, and no --config. A unit test holds the shipped file to
 * `dnsmasqScriptExample` of the default config, so the two cannot drift.
 */
export const SHIPPED_SCRIPT = {stateDir: '/run/ha-tool', binary: '/usr/sbin/ha-tool'} as const

/** Where a user installs the generated wrapper when the shipped one does not fit the config (dnsmasq passes it no arguments). */
export const DNSMASQ_SCRIPT_ETC = '/etc/ha-tool/dnsmasq-script'

/** Whether the shipped wrapper serves this config: same state.dir, same ha-tool, the default config path. */
export function shippedScriptFits(site: ExampleSite): boolean {
  const cfg = site.configPath === undefined || site.configPath === DEFAULT_CONFIG_PATH
  return cfg && site.state.dir === SHIPPED_SCRIPT.stateDir && site.binary === SHIPPED_SCRIPT.binary
}

/** The dhcp-script `config example dnsmasq` names: the shipped wrapper when it fits, else the generated one. */
export function dnsmasqScriptPath(site: ExampleSite): string {
  return shippedScriptFits(site) ? DNSMASQ_HOOK : DNSMASQ_SCRIPT_ETC
}

/**
 * dnsmasq's dhcp-script: it cannot take arguments, so the state dir (where the daemon's lease-file
 * watch announces itself, and this leaves its mark) and the ha-tool command are written into it.
 */
export function dnsmasqScriptExample(site: ExampleSite): string {
  const from = site.configPath ? `built from ${site.configPath}` : 'built from the defaults'
  const cfg = site.configPath && site.configPath !== DEFAULT_CONFIG_PATH ? ['--config', site.configPath] : []
  const where = shippedScriptFits(site)
    ? [`These are the values of the shipped wrapper, ${DNSMASQ_HOOK} (scripts/install lays it down),`,
        'which `ha-tool config example dnsmasq` names for them.']
    : [`Install it as ${DNSMASQ_SCRIPT_ETC} (root-owned, mode 0755), which \`ha-tool config example dnsmasq\``,
        `names for this config: the shipped ${DNSMASQ_HOOK} has state.dir ${SHIPPED_SCRIPT.stateDir} and`,
        `${SHIPPED_SCRIPT.binary} without --config baked in.`]
  return [
    '#!/bin/sh',
    `# dnsmasq's dhcp-script wrapper, by \`ha-tool config example dnsmasq-script\`; ${from}.`,
    ...where.map((l) => `# ${l}`),
    '# dnsmasq\'s --dhcp-script runs a program with its own arguments (add|old|del|init MAC IP [HOST]);',
    '# this passes them to `ha-tool leases hook`, except while `ha-tool daemon` reads dnsmasq\'s lease',
    '# changes from its lease file itself (docs/leases.md): then this exits at once, with no Node start',
    '# per lease (dnsmasq runs its script one call at a time, and a burst of clients outran that).',
    '# Nothing a DHCP client sends (the hostname, in "$4" and the environment) is read here.',
    '# ha-tool\'s state.dir: unless it is the config\'s, every lease goes through the hook (slower; doctor\'s',
    '# dnsmasq-script check says so).',
    `state_dir=${shellQuote(site.state.dir)}`,
    'if [ "$1" != init ]; then',
    '  # Tells the daemon that dnsmasq runs this wrapper, so its lease-file watch may replicate.',
    '  [ -e "$state_dir/dnsmasq-script.seen" ] || true 2>/dev/null > "$state_dir/dnsmasq-script.seen"',
    '  if read -r pid 2>/dev/null < "$state_dir/lease-watch.pid"; then',
    '    case $pid in',
    '      \'\' | *[!0-9]*) ;;',
    '      *) kill -0 "$pid" 2>/dev/null && exit 0 ;;',
    '    esac',
    '  fi',
    'fi',
    `exec ${[site.binary, 'leases', 'hook', ...cfg].map(shellQuote).join(' ')} "$@"`,
    '',
  ].join('\n')
}

/** The state dir a wrapper of this shape uses (its `state_dir=` line); undefined for any other script. */
export function scriptStateDir(text: string): string | undefined {
  const m = /^state_dir=(.*)$/m.exec(text)
  const words = m ? shellWords(m[1]) : undefined
  return words?.length === 1 ? words[0] : undefined
}

/**
 * The config a wrapper's `ha-tool ... leases hook` reads: the `--config` on its line, else an
 * `HA_TOOL_CONFIG=` before the command, else null (ha-tool's default). Undefined when no line of
 * the script runs `leases hook`.
 */
export function scriptHookConfig(text: string): string | null | undefined {
  for (const line of text.split('\n')) {
    // dnsmasq's own arguments ("$@") are no word of ours; shellWords refuses expansions.
    const words = shellWords(line.replaceAll('"$@"', '').trim())
    if (!words) continue
    const at = words.findIndex((w, i) => w === 'leases' && words[i + 1] === 'hook')
    if (at < 0) continue
    for (let i = at + 2; i < words.length; i++) {
      if (words[i] === '--config' && words[i + 1] !== undefined) return words[i + 1]
      if (words[i].startsWith('--config=')) return words[i].slice('--config='.length)
    }
    const env = words.slice(0, at).find((w) => w.startsWith('HA_TOOL_CONFIG='))
    return env === undefined ? null : env.slice('HA_TOOL_CONFIG='.length)
  }
  return undefined
}
