import type {IpRoute} from '../../adapters/iproute.js'
import type {Networkd} from '../../adapters/networkd.js'
import type {WanSilence} from '../../adapters/wan-silence.js'
import {HaError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import type {Config} from '../../config/schema.js'
import type {StepExecutors} from './types.js'

export type WanAdapters = {
  ip: IpRoute
  silence: WanSilence
  /** Connects to networkd on first use (dbus-next loads only then). */
  networkd(): Promise<Networkd>
  dropin: {write(networkFile: string, policy: 'up' | 'down'): boolean}
  sleep(ms: number): Promise<void>
  mono(): number
}

/** Executors for the WAN steps the planner emits (rule, link, silence, renew, wait). */
export function createWanExecutors(config: Config, a: WanAdapters): StepExecutors {
  const wan = config.wan
  const networkFile = async (nd: Networkd, dev: string): Promise<string> => {
    if (wan.network_file) return wan.network_file
    const file = (await nd.describe(dev)).NetworkFile
    if (typeof file !== 'string' || file === '') {
      throw new HaError(`networkd does not manage ${dev} (no .network file matches it)`, ExitCode.FAILED, {hint: 'set wan.network_file or give the WAN a .network file'})
    }
    return file
  }
  const viaNetworkd = async (dev: string, policy: 'up' | 'down'): Promise<string> => {
    const nd = await a.networkd()
    const file = await networkFile(nd, dev)
    const changed = a.dropin.write(file, policy)
    if (!changed) return `drop-in for ${file} already says ${policy}`
    await nd.reload()
    // An unreadable or broken drop-in makes networkd drop the whole .network: check it took.
    const d = await nd.describe(dev)
    if (d.AdministrativeState === 'failed' || d.AdministrativeState === 'unmanaged') {
      throw new HaError(`networkd marked ${dev} ${String(d.AdministrativeState)} after the drop-in`, ExitCode.FAILED, {hint: `check ${wan.networkd_runtime_dir}/${file}.d/ and journalctl -u systemd-networkd`})
    }
    return `ActivationPolicy=${policy} drop-in for ${file}, networkd reloaded`
  }

  return {
    // Planned only when the kernel has no such link: the failure is the point (exit 3, or 1 on MASTER).
    'wan.missing': async (step) => {
      throw new HaError(`WAN interface ${String(step.args.dev)} does not exist: nothing on it was ${step.args.role === 'MASTER' ? 'brought up' : 'silenced or taken down'}`, ExitCode.FAILED, {hint: 'check wan.interface (`ip link`) and `ha-tool doctor`'})
    },
    'rule.add': async (step) => {
      await a.ip.ruleAdd(Number(step.args.table), Number(step.args.priority))
      return {detail: `added: to all lookup ${step.args.table} priority ${step.args.priority}`}
    },
    'rule.del': async (step) => {
      const count = Number(step.args.count ?? 1)
      for (let i = 0; i < count; i++) await a.ip.ruleDel(Number(step.args.table), Number(step.args.priority))
      return {detail: `removed ${count}`}
    },
    'silence.apply': async (step) => {
      await a.silence.apply(String(step.args.dev))
      return {detail: `nftables netdev drop on ${step.args.dev}`}
    },
    'silence.lift': async () => {
      await a.silence.lift()
    },
    'link.up': async (step) => {
      const dev = String(step.args.dev)
      if (step.args.via === 'networkd') return {detail: await viaNetworkd(dev, 'up')}
      await a.ip.linkSet(dev, 'up')
    },
    'link.down': async (step) => {
      const dev = String(step.args.dev)
      if (step.args.via === 'networkd') return {detail: await viaNetworkd(dev, 'down')}
      await a.ip.linkSet(dev, 'down')
    },
    renew: async (step) => {
      const nd = await a.networkd()
      const dev = String(step.args.dev)
      if (step.args.reconfigure) {
        await nd.reconfigure(dev)
        return {detail: 'ReconfigureLink (new DHCP exchange)'}
      }
      await nd.renew(dev)
      return {detail: 'RenewLink'}
    },
    'wait.wan': async (step) => {
      const dev = String(step.args.dev)
      const table = Number(step.args.table)
      const deadline = a.mono() + Number(step.args.timeoutMs)
      const started = a.mono()
      let reconfigured = false
      for (;;) {
        const {observed: o} = await a.ip.readWan(dev, table, wan.rule_priority)
        if (o.link.carrier && o.hasAddress && o.hasDefaultRoute) return {detail: `ready after ${Math.round(a.mono() - started)} ms`}
        // The table's routes vanish with a link flap and only a new lease brings them back.
        if (step.args.reconfigure && !reconfigured && o.hasAddress && !o.hasDefaultRoute && a.mono() - started > 1000) {
          reconfigured = true
          await (await a.networkd()).reconfigure(dev)
        }
        if (a.mono() >= deadline) {
          const missing = [!o.link.carrier && 'carrier', !o.hasAddress && 'an address', !o.hasDefaultRoute && `a default route in table ${table}`].filter(Boolean).join(', ')
          throw new HaError(`${dev}: no ${missing} after ${step.args.timeoutMs} ms`, ExitCode.FAILED, {hint: 'check the DHCP client on the WAN (networkctl status, the ISP link); wan.up_timeout_ms sets the wait'})
        }
        await a.sleep(20)
      }
    },
  }
}
