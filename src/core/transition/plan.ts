import {legacyRuleDeletes} from '../iproute/legacy-rules.js'
import {type LanPrefixConfig, planLanPrefix} from './lan-prefix.js'
import type {ObservedWan, Role, RuleAtSlot, Step, VipSource, WanRule} from './types.js'

export type WanPlanConfig = {
  interface: string
  table: number
  rule_priority: number
  /** Protocol number of ha-tool's rules: only rules with it are counted, added and deleted. */
  rule_protocol: number
  /** Converge the IPv6 rule too (when observed). */
  ipv6: boolean
  /** The WAN's networkd runs a DHCPv6 client that asks for a prefix (config example networkd). */
  dhcpv6: boolean
  link: 'keep-up' | 'down-on-backup'
  link_via: 'netlink' | 'networkd'
  renew: 'none' | 'networkd'
  silence: 'nftables' | 'none'
  up_timeout_ms: number
  /** .network file of the WAN for link_via networkd; "" = ask networkd. */
  network_file: string
}

/**
 * Steps other capabilities put into a transition, each in its named slot:
 * - beforeWan: MASTER only; runs before the WAN is opened (conntrackd commits its external
 *   cache here, or clients see resets).
 * - afterWan: runs once the WAN side is converged (MASTER: conntrackd flush/resync/bulk,
 *   leases pull + dnsmasq start; BACKUP/FAULT: conntrackd -t/-n, dnsmasq stop).
 * They are role-change actions: they run only when the role differs from the last applied one.
 */
export type PlanSlots = {beforeWan?: Step[]; afterWan?: Step[]}

export type PlanInput = {
  role: Role
  /** Role applied by the last completed transition (from the state file), if any. */
  previousRole?: Role
  wan: WanPlanConfig
  observed: ObservedWan
  slots?: PlanSlots
  /** keepalived died without a STOP: also release the VIPs it left here (from this keepalived.conf). */
  releaseVips?: VipSource
  /** Advertise the delegated LAN prefix from the MASTER only (lan-prefix.ts); planned when observed.lan6 was read. */
  lan6?: LanPrefixConfig
}

/**
 * The transition planner: (role, config, observed state) -> ordered steps. Pure.
 * Converges rather than toggles: a step is planned only when the observed state differs
 * from the desired one, so planning twice against the result plans nothing.
 */
export function planTransition(input: PlanInput): Step[] {
  const {role, wan, observed} = input
  const roleChanged = input.previousRole !== role
  const slots = roleChanged ? input.slots ?? {} : {}
  const dev = wan.interface
  const wanRule = {table: wan.table, priority: wan.rule_priority, protocol: wan.rule_protocol}
  const rule = {...wanRule, family: 4 as const}
  const rule6 = {...rule, family: 6 as const}
  // IPv6 rules are planned only when they were read (wan.ipv6 on and the kernel has IPv6).
  const rule6Count = wan.ipv6 ? observed.rule6Count : undefined
  const steps: Step[] = []
  const lan6 = input.lan6 && observed.lan6 ? planLanPrefix(role, input.lan6, observed.lan6) : []

  // No such link (a typo, a renamed NIC): a failed step, never "already converged". On MASTER it
  // is critical, so no rule sends traffic to a WAN that is not there.
  const missing: Step = {kind: 'wan.missing', args: {dev, role}, why: `find the WAN interface ${dev}`, critical: role === 'MASTER'}

  if (role === 'MASTER') {
    if (!observed.link.exists) return [missing]
    const beforeWan = slots.beforeWan ?? []
    const linkDown = !observed.link.adminUp
    const needWait = linkDown || !observed.hasAddress || !observed.hasDefaultRoute
    const rules: Step[] = []
    if (observed.ruleCount !== 1) {
      if (observed.ruleCount > 1) rules.push({kind: 'rule.del', args: {...rule, count: observed.ruleCount - 1}, why: `remove ${observed.ruleCount - 1} duplicate WAN rule(s)`, critical: false})
      else rules.push({kind: 'rule.add', args: rule, why: `route through the WAN: to all lookup ${wan.table} priority ${wan.rule_priority}`, critical: true})
    }
    // Not critical: a MASTER that routes IPv4 but failed IPv6 still runs its conntrackd/dnsmasq steps (exit 3).
    if (rule6Count !== undefined && rule6Count !== 1) {
      if (rule6Count > 1) rules.push({kind: 'rule.del', args: {...rule6, count: rule6Count - 1}, why: `remove ${rule6Count - 1} duplicate IPv6 WAN rule(s)`, critical: false})
      else rules.push({kind: 'rule.add', args: rule6, why: `route IPv6 through the WAN: to all lookup ${wan.table} priority ${wan.rule_priority} (ip -6)`, critical: false})
    }
    const lift: Step | undefined = observed.silenced ? {kind: 'silence.lift', args: {dev}, why: `lift the BACKUP drop on ${dev} once the flows are committed`, critical: true} : undefined
    // keep-up: while silenced, networkd's DHCPv6 client backed its Solicits off (up to SOL_MAX_RT, 3600 s), so
    // a new MASTER without a delegation can wait that long for one (RenewLink does not restart it). One that
    // still holds one is in Renew/Rebind (capped at 600 s) and routes meanwhile: it keeps its DHCPv4 lease.
    // A take-over only (a repeated MASTER event never restarts twice). A link brought up starts its clients anyway.
    const noPrefix = roleChanged && wan.link === 'keep-up' && wan.ipv6 && wan.dhcpv6 && (wan.renew === 'networkd' || wan.link_via === 'networkd') &&
      !linkDown && observed.delegated6 !== undefined && observed.delegated6.length === 0
    // A silenced BACKUP's renewals were dropped: its lease may be stale, so renew it too. ReconfigureLink (a new
    // exchange) when the table lost its routes, or when there is no prefix and no IPv4 lease to lose either: then
    // both clients start at once and wait.wan does not sit out DHCPv4's backoff.
    const reconfigure = !linkDown && ((observed.hasAddress && !observed.hasDefaultRoute) || (noPrefix && needWait))
    const renew: Step | undefined = (needWait || observed.silenced) && wan.renew === 'networkd'
      ? {kind: 'renew', args: {dev, reconfigure}, why: reconfigure && noPrefix ? `no IPv4 lease and no delegated IPv6 prefix: restart the DHCP clients on ${dev} (ReconfigureLink)` : `ask networkd to renew the lease on ${dev}`, critical: false}
      : undefined
    // A node that routes IPv4 but holds no prefix: the restart costs a new DHCPv4 exchange, so it comes last,
    // after the rules and the afterWan steps (nothing waits for it), and its executor checks the prefix again.
    const restart: Step | undefined = noPrefix && !renew?.args.reconfigure
      ? {kind: 'dhcp.restart', args: {dev}, why: `no delegated IPv6 prefix: restart the DHCP clients on ${dev} (ReconfigureLink), whose Solicits backed off while silenced`, critical: false}
      : undefined
    // Each step in `group` after the first starts together with it.
    const together = (group: Step[]): Step[] => group.map((s, i) => (i === 0 ? s : {...s, concurrent: true}))
    // Strictly in this order (docs/transitions.md, "Order on MASTER"): flows, gate, WAN, rules.
    // - The silence opens only after conntrackd's commit: an inbound packet of a replicated flow that
    //   finds no entry is delivered locally (a TCP reset, or a local UDP entry that clashes with the
    //   committed one).
    // - The rules go in only after the silence is open: a packet routed out while the silence still
    //   drops egress can start ARP for the ISP's gateway, the request is dropped, and the kernel asks
    //   again only after retrans_time_ms (1 s): measured, a 1.1 s outage on every stop failover.
    // The IPv4 and IPv6 rules are independent of each other and go in at once.
    steps.push(...beforeWan)
    if (lift) steps.push(lift)
    if (linkDown) steps.push({kind: 'link.up', args: {dev, via: wan.link_via, networkFile: wan.network_file}, why: `bring ${dev} up (via ${wan.link_via})`, critical: true})
    if (renew) steps.push(renew)
    if (needWait) steps.push({kind: 'wait.wan', args: {dev, rule: wanRule, timeoutMs: wan.up_timeout_ms, reconfigure: wan.renew === 'networkd' || wan.link_via === 'networkd'}, why: `wait for carrier, an address and a default route in table ${wan.table} on ${dev}`, critical: false})
    steps.push(...together(rules))
    // After the add: the rule with ha-tool's protocol is in before its earlier copy goes.
    steps.push(...legacySteps(wanRule, observed.ruleSlot, wan.ipv6 && rule6Count !== undefined ? observed.rule6Slot : undefined, true))
    // The delegated prefix into the RAs once the WAN routes (dnsmasq picks the address up whenever it comes).
    steps.push(...lan6)
    steps.push(...(slots.afterWan ?? []))
    if (restart) steps.push(restart)
    return steps
  }

  // keepalived died without a STOP (the guard, the watchdog): its VIP and VMAC go at once, beside the rules. While
  // this node holds them it answers ARP for the VIP from the virtual MAC (keepalived sets accept_local on the VMAC:
  // without the shipped nftables rule, even the new MASTER's gratuitous ARPs), and each answer teaches the LAN
  // switch this node's port again (docs/failover.md, "kill -9").
  if (input.releaseVips) steps.push({kind: 'vip.release', args: input.releaseVips, why: 'keepalived is gone: release the VIP (and VMAC) it left on this node', critical: false})
  // BACKUP, FAULT, STOP: the WAN rule goes first, so no traffic is routed out while the link changes.
  if (observed.ruleCount > 0) steps.push({kind: 'rule.del', args: {...rule, count: observed.ruleCount}, why: `stop routing through the WAN (${observed.ruleCount} rule cop${observed.ruleCount === 1 ? 'y' : 'ies'})`, critical: false, ...(steps.length > 0 ? {concurrent: true as const} : {})})
  // The IPv6 copies go at the same time as the IPv4 ones (independent rules, one process each).
  if (rule6Count) steps.push({kind: 'rule.del', args: {...rule6, count: rule6Count}, why: `stop routing IPv6 through the WAN (${rule6Count} rule cop${rule6Count === 1 ? 'y' : 'ies'}, ip -6)`, critical: false, ...(steps.length > 0 ? {concurrent: true as const} : {})})
  steps.push(...legacySteps(wanRule, observed.ruleSlot, rule6Count !== undefined ? observed.rule6Slot : undefined, false))
  // The MASTER's LAN prefix off this node's VMAC at once, beside the rules: the VMAC would answer for it with the virtual MAC.
  steps.push(...lan6.map((s): Step => (steps.length > 0 ? {...s, concurrent: true} : s)))
  if (!observed.link.exists) steps.push(missing)
  else if (wan.link === 'down-on-backup') {
    if (observed.link.adminUp) steps.push({kind: 'link.down', args: {dev, via: wan.link_via, networkFile: wan.network_file}, why: `take ${dev} down (via ${wan.link_via})`, critical: false})
  } else if (wan.silence === 'nftables' && !observed.silenced) {
    steps.push({kind: 'silence.apply', args: {dev}, why: `drop all ${dev} ingress and egress while not MASTER (shared MAC)`, critical: false})
  }
  steps.push(...(slots.afterWan ?? []))
  return steps
}

/**
 * ha-tool's earlier rules (plain, no protocol: added before wan.rule_protocol existed) are its own:
 * replaced on MASTER (after the add), removed otherwise, each delete naming the protocol so that it
 * removes that rule and no other (legacy-rules.ts). One after the other: a delete by protocol 0
 * is safe only in the order the kernel holds the rules. Rare: once after an upgrade.
 */
function legacySteps(own: WanRule, slot4: readonly RuleAtSlot[] | undefined, slot6: readonly RuleAtSlot[] | undefined, keepOwn: boolean): Step[] {
  const steps: Step[] = []
  for (const [family, slot] of [[4, slot4], [6, slot6]] as const) {
    if (slot === undefined) continue
    const {protocols} = legacyRuleDeletes(slot, own.protocol, keepOwn)
    for (let i = 0; i < protocols.length;) {
      let n = 1
      while (protocols[i + n] === protocols[i]) n++
      const what = `${n} earlier ha-tool ${family === 6 ? 'IPv6 ' : ''}WAN rule${n === 1 ? '' : 's'} without protocol (proto ${protocols[i] === 0 ? 'unspec' : protocols[i]})`
      steps.push({kind: 'rule.del', args: {...own, protocol: protocols[i], family, count: n}, why: keepOwn ? `replace ${what} by the one with protocol ${own.protocol}` : `stop routing through the WAN: ${what}`, critical: false})
      i += n
    }
  }
  return steps
}
