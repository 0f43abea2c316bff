import type {IpRoute, Networkd, WanSilence} from '../../ports.js'
import {HaError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import type {ExecutorsFor} from './types.js'

export type WanAdapters = {
  ip: IpRoute
  silence: WanSilence
  /** Connects to networkd on first use (dbus-next loads only then). */
  networkd(): Promise<Networkd>
  /** The runtime drop-in writer; dir is where it writes (for the hint when networkd refuses it). */
  dropin: {dir: string; write(networkFile: string, policy: 'up' | 'down'): boolean}
  sleep(ms: number): Promise<void>
  mono(): number
}

export type WanStepKind = 'wan.missing' | 'rule.add' | 'rule.del' | 'silence.apply' | 'silence.lift' | 'link.up' | 'link.down' | 'renew' | 'wait.wan' | 'dhcp.restart'

/** Executors for the WAN steps the planner emits (rule, link, silence, renew, wait). */
export function createWanExecutors(a: WanAdapters): ExecutorsFor<WanStepKind> {
  const networkFile = async (nd: Networkd, dev: string, configured: string): Promise<string> => {
    if (configured) return configured
    const file = (await nd.describe(dev)).NetworkFile
    if (typeof file !== 'string' || file === '') {
      throw new HaError(`networkd does not manage ${dev} (no .network file matches it)`, ExitCode.FAILED, {hint: 'set wan.network_file or give the WAN a .network file'})
    }
    return file
  }
  const viaNetworkd = async (dev: string, configured: string, policy: 'up' | 'down'): Promise<string> => {
    const nd = await a.networkd()
    const file = await networkFile(nd, dev, configured)
    const changed = a.dropin.write(file, policy)
    if (!changed) return `drop-in for ${file} already says ${policy}`
    await nd.reload()
    // An unreadable or broken drop-in makes networkd drop the whole .network: check it took.
    const d = await nd.describe(dev)
    if (d.AdministrativeState === 'failed' || d.AdministrativeState === 'unmanaged') {
      throw new HaError(`networkd marked ${dev} ${String(d.AdministrativeState)} after the drop-in`, ExitCode.FAILED, {hint: `check ${a.dropin.dir}/${file}.d/ and journalctl -u systemd-networkd`})
    }
    return `ActivationPolicy=${policy} drop-in for ${file}, networkd reloaded`
  }

  return {
    // Planned only when the kernel has no such link: the failure is the point (exit 3, or 1 on MASTER).
    'wan.missing': async ({args}) => {
      throw new HaError(`WAN interface ${args.dev} does not exist: nothing on it was ${args.role === 'MASTER' ? 'brought up' : 'silenced or taken down'}`, ExitCode.FAILED, {hint: 'check wan.interface (`ip link`) and `ha-tool doctor`'})
    },
    'rule.add': async ({args}) => {
      const {family, ...rule} = args
      await a.ip.ruleAdd(rule, family)
      return {detail: `added: to all lookup ${rule.table} priority ${rule.priority} protocol ${rule.protocol}${family === 6 ? ' (IPv6)' : ''}`}
    },
    'rule.del': async ({args}) => {
      const {family, count, ...rule} = args
      for (let i = 0; i < count; i++) await a.ip.ruleDel(rule, family)
      return {detail: `removed ${args.count}${args.family === 6 ? ' (IPv6)' : ''}`}
    },
    'silence.apply': async ({args}) => {
      await a.silence.apply(args.dev)
      return {detail: `nftables netdev drop on ${args.dev}`}
    },
    'silence.lift': async () => {
      await a.silence.lift()
    },
    'link.up': async ({args}) => {
      if (args.via === 'networkd') return {detail: await viaNetworkd(args.dev, args.networkFile, 'up')}
      await a.ip.linkSet(args.dev, 'up')
    },
    'link.down': async ({args}) => {
      if (args.via === 'networkd') return {detail: await viaNetworkd(args.dev, args.networkFile, 'down')}
      await a.ip.linkSet(args.dev, 'down')
    },
    renew: async ({args}) => {
      const nd = await a.networkd()
      if (args.reconfigure) {
        await nd.reconfigure(args.dev)
        return {detail: 'ReconfigureLink (new DHCP exchange)'}
      }
      await nd.renew(args.dev)
      return {detail: 'RenewLink'}
    },
    // Checked again here: the delegation may have come back since the plan (a Renew after the lift).
    'dhcp.restart': async ({args}) => {
      const held = await a.ip.delegatedPrefixes()
      if (held.length > 0) return {detail: `holds ${held.join(', ')} now: nothing to restart`}
      await (await a.networkd()).reconfigure(args.dev)
      return {detail: 'no delegated prefix: ReconfigureLink (the DHCPv4 and DHCPv6 clients start again at once)'}
    },
    'wait.wan': async ({args}) => {
      const {dev, rule} = args
      const {table} = rule
      const deadline = a.mono() + args.timeoutMs
      const started = a.mono()
      let reconfigured = false
      for (;;) {
        const {observed: o} = await a.ip.readWan(dev, rule)
        if (o.link.carrier && o.hasAddress && o.hasDefaultRoute) return {detail: `ready after ${Math.round(a.mono() - started)} ms`}
        // The table's routes vanish with a link flap and only a new lease brings them back.
        if (args.reconfigure && !reconfigured && o.hasAddress && !o.hasDefaultRoute && a.mono() - started > 1000) {
          reconfigured = true
          await (await a.networkd()).reconfigure(dev)
        }
        if (a.mono() >= deadline) {
          const missing = [!o.link.carrier && 'carrier', !o.hasAddress && 'address', !o.hasDefaultRoute && `default route in table ${table}`].filter(Boolean).join(', no ')
          throw new HaError(`${dev}: no ${missing} after ${args.timeoutMs} ms`, ExitCode.FAILED, {hint: 'check the DHCP client on the WAN (networkctl status, the ISP link); wan.up_timeout_ms sets the wait'})
        }
        await a.sleep(20)
      }
    },
  }
}
