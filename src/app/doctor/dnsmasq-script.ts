import {DNSMASQ_SCRIPT_ETC, scriptHookConfig, scriptStateDir} from '../../core/examples/dnsmasq-script.js'
import {DEFAULT_CONFIG_PATH} from '../../core/examples/site.js'
import {type DoctorCheck, fail, pass, skip, warn} from './types.js'

/**
 * dnsmasq passes its dhcp-script no arguments of ours, so ha-tool's wrapper has state.dir and the
 * config path written in: with another state.dir than the config's, the daemon's lease-file watch
 * never sees the wrapper's mark and every lease change starts a `ha-tool leases hook` (one Node
 * start per lease, run one at a time); with another config, the hook pushes with that config's peer
 * and lease file (the shipped wrapper reads the default one).
 */
export const dnsmasqScript: DoctorCheck = {
  id: 'dnsmasq-script',
  title: 'dnsmasq\'s dhcp-script wrapper uses this config and its state.dir',
  run(ctx) {
    const conf = ctx.config.doctor.dnsmasq_conf
    const options = ctx.dnsmasq()
    if (!options) return skip(`${conf}: not found (dnsmasq not used for the LAN?)`)
    const script = options.filter((o) => o.name === 'dhcp-script').at(-1)?.value
    if (!script) return skip(`${conf}: no dhcp-script, ha-tool replicates no lease as it changes`)
    const make = `install \`ha-tool config example dnsmasq-script\` as ${DNSMASQ_SCRIPT_ETC} (mode 0755) and set dhcp-script=${DNSMASQ_SCRIPT_ETC}`
    const text = ctx.fs.read(script)
    if (text === undefined) return fail(`dhcp-script ${script}: not found, dnsmasq cannot run it`, make)
    const dir = scriptStateDir(text)
    if (dir === undefined) return pass(`dhcp-script ${script} is not ha-tool's wrapper (no state_dir= line): nothing to compare`)
    const want = ctx.config.state.dir
    if (dir.replace(/\/+$/, '') !== want.replace(/\/+$/, '')) {
      return warn(`dhcp-script ${script} has state_dir=${dir}, but state.dir is ${want}: the daemon's lease-file watch never sees it, and every lease change starts a \`ha-tool leases hook\``, make)
    }
    const own = ctx.deps.configPath
    const hook = scriptHookConfig(text)
    if (own !== undefined && hook !== undefined && (hook ?? DEFAULT_CONFIG_PATH) !== own) {
      return warn(`dhcp-script ${script} runs \`ha-tool leases hook\` with ${hook === null ? `the default config (${DEFAULT_CONFIG_PATH})` : `--config ${hook}`}, but this node's config is ${own}: lease changes the hook handles go by that config's peer and lease file`, make)
    }
    return pass(`dhcp-script ${script}: state_dir=${dir}`)
  },
}
