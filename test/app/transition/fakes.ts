import type {IpRoute} from '../../../src/adapters/iproute.js'
import {silentLogger} from '../../../src/adapters/log.js'
import type {WanSilence} from '../../../src/adapters/wan-silence.js'
import type {TransitionDeps} from '../../../src/app/handle-transition.js'
import {makeConntrackExecutors} from '../../../src/app/steps/conntrack.js'
import {createLanPrefixExecutors} from '../../../src/app/steps/lan-prefix.js'
import {createLeaseExecutors} from '../../../src/app/steps/leases.js'
import {createVipExecutors} from '../../../src/app/steps/vip.js'
import {createWanExecutors} from '../../../src/app/steps/wan.js'
import {defaultConfig} from '../../../src/config/validate.js'
import type {Config} from '../../../src/config/schema.js'
import type {ObservedLanPrefix} from '../../../src/core/transition/lan-prefix.js'
import type {StateFile} from '../../../src/core/transition/types.js'

/**
 * A fake node: kernel rules, link and silence in memory, with a log of what was done to it.
 * kernelIpv6: the kernel has IPv6 (IPv6 rules read and kept as rules6; their actions are rule6.*);
 * without it the node is one whose kernel answers "Address family not supported".
 */
export function fakeNode(opts: {config?: Partial<Config['wan']>; failing?: string[]; kernelIpv6?: boolean} = {}) {
  const config = defaultConfig('wan0')
  Object.assign(config.wan, opts.config ?? {})
  // lan6: the LAN's delegated /64s and ha-tool's addresses on the IPv6 VMAC (read when the config advertises them).
  const node = {rules: 0, rules6: 0, adminUp: true, carrier: true, address: true, defaultRoute: true, silenced: false, actions: [] as string[], lan6: {vmacExists: true, lanPrefixes: [], advertised: []} as ObservedLanPrefix}
  const failing = new Set(opts.failing ?? [])
  const act = (name: string) => {
    node.actions.push(name)
    if (failing.has(name)) throw new Error(`${name} failed (injected)`)
  }
  const ip: IpRoute = {
    readWan: async (_dev, _rule, ipv6, lan6) => ({observed: {ruleCount: node.rules, link: {exists: true, adminUp: node.adminUp, carrier: node.adminUp && node.carrier}, hasAddress: node.adminUp && node.address, hasDefaultRoute: node.adminUp && node.defaultRoute,
      ...(ipv6 && opts.kernelIpv6 ? {rule6Count: node.rules6, hasDefaultRoute6: node.adminUp && node.defaultRoute, ...(lan6 ? {lan6: structuredClone(node.lan6)} : {})} : {})}, addresses: []}),
    ruleAdd: async (_rule, family) => {
      if (family === 6) { act('rule6.add'); node.rules6++ } else { act('rule.add'); node.rules++ }
    },
    ruleDel: async (_rule, family) => {
      if (family === 6) { act('rule6.del'); node.rules6 = Math.max(0, node.rules6 - 1) } else { act('rule.del'); node.rules = Math.max(0, node.rules - 1) }
    },
    delegatedPrefixes: async () => [],
    linkSet: async (_dev, state) => { act(`link.${state}`); node.adminUp = state === 'up' },
    addresses: async () => [],
    addrDel: async (address) => {
      act(`addr.del ${address}`)
      node.lan6.advertised = node.lan6.advertised.filter((a) => a !== address)
    },
    addrReplace: async (address) => {
      act(`addr.replace ${address}`)
      if (!node.lan6.advertised.includes(address)) node.lan6.advertised.push(address)
    },
    linkDel: async () => { act('link.del') },
  }
  const silence: WanSilence = {
    isApplied: async () => node.silenced,
    apply: async () => { act('silence.apply'); node.silenced = true },
    lift: async () => { act('silence.lift'); node.silenced = false },
  }
  let state: StateFile | undefined
  let clock = 1_000_000
  const mono = () => (clock += 1)
  const deps: TransitionDeps = {
    config,
    log: silentLogger,
    ip,
    silence,
    executors: {
      ...createWanExecutors({ip, silence, networkd: async () => { throw new Error('no networkd in fakes') }, dropin: {dir: '/run/systemd/network', write: () => true}, sleep: async () => {}, mono}),
      ...createVipExecutors(ip, () => { throw new Error('no keepalived.conf in fakes') }),
      ...makeConntrackExecutors({client: () => { throw new Error('no conntrackd in fakes') }, peerFlows: () => undefined, kernelFlows: async () => '', sleep: async () => {}, mono}),
      ...createLeaseExecutors(() => { throw new Error('no lease adapters in fakes') }),
      ...createLanPrefixExecutors(ip),
    },
    lock: async () => ({release: async () => {}}),
    readState: () => state,
    writeState: (s) => { state = structuredClone(s) },
    slots: async () => ({}),
    now: () => clock,
    mono,
    pidMax: 4194304,
  }
  return {node, deps, config, state: () => state}
}
