import type {ObservedLanPrefix} from './lan-prefix.js'

/**
 * The vocabulary of a transition: roles keepalived reports, the steps a plan is made of, and
 * what the node looked like when the plan was made. Pure data, shared by the planner (core),
 * the executor (app) and status.
 */
export type Role = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP'

/** Args every conntrackd step carries: the flag it runs, and why it will not run when it is a no-op here. */
type ConntrackActionArgs = {flag: string; noop?: string}

/**
 * What each step kind needs to run, put there by its planner from the resolved settings, so an
 * executor reads nothing but its step (no config, no coercion). One entry per kind: adding a
 * kind here without an executor in src/app/steps is a compile error (StepExecutors is exhaustive).
 */
export type StepArgs = {
  'silence.lift': {dev: string}
  'silence.apply': {dev: string}
  /** networkFile: wan.network_file ("" = ask networkd which .network manages dev). */
  'link.up': {dev: string; via: 'netlink' | 'networkd'; networkFile: string}
  'link.down': {dev: string; via: 'netlink' | 'networkd'; networkFile: string}
  renew: {dev: string; reconfigure: boolean}
  'wait.wan': {dev: string; rule: WanRule; timeoutMs: number; reconfigure: boolean}
  /** A keep-up MASTER without a delegated prefix: networkd's ReconfigureLink starts both DHCP clients again at once. */
  'dhcp.restart': {dev: string}
  /** The WAN link does not exist: planned to fail (a typo or a renamed NIC is never "converged"). */
  'wan.missing': {dev: string; role: Role}
  /** family 6: the same rule for IPv6 (`ip -6 rule`), converged beside the IPv4 one (wan.ipv6). */
  'rule.add': WanRule & {family: RuleFamily}
  'rule.del': WanRule & {family: RuleFamily; count: number}
  /** keepalived died without a STOP: release the VIPs (and VMACs) it left on this node. */
  'vip.release': VipSource
  'conntrackd.commit': ConntrackActionArgs & {timeoutMs: number}
  'conntrackd.flush': ConntrackActionArgs
  'conntrackd.resync-kernel': ConntrackActionArgs
  'conntrackd.bulk-send': ConntrackActionArgs
  'conntrackd.purge': ConntrackActionArgs
  'conntrackd.request-resync': ConntrackActionArgs
  /** command: [] = <binary> -d -C <config>. */
  'conntrackd.start': {command: string[]; timeoutMs: number; noop?: string}
  'conntrackd.verify-sync': {noop?: string; waitMs: number; tolerancePercent: number}
  'leases.pull': {allowRestart: boolean; startDnsmasqAfterMs: number}
  'dnsmasq.start': Record<string, never>
  'dnsmasq.stop': Record<string, never>
  /** The delegated LAN prefix in the RAs (lan-prefix.ts): ha-tool's address on the IPv6 VMAC, "2001:db8:1:2::1/64". */
  'lan6.prefix.add': {dev: string; address: string}
  'lan6.prefix.del': {dev: string; address: string}
}

/**
 * ha-tool's WAN rule: `to all lookup <table> priority <priority> protocol <protocol>`. The protocol
 * (wan.rule_protocol) tells it from a user's rule with the same priority and selector.
 */
export type WanRule = {table: number; priority: number; protocol: number}

/** Address family of a routing rule: 4 = `ip rule`, 6 = `ip -6 rule`. */
export type RuleFamily = 4 | 6

/**
 * One rule at ha-tool's priority and table: its protocol number (0 = unspec) and whether it is
 * plain (`from all`, no other selector: ha-tool's own selector).
 */
export type RuleAtSlot = {protocol: number; plain: boolean}

/** Where the VIPs to release come from: keepalived.conf when readable, else the kernel's VMAC links. */
export type VipSource = {config: string}

export type StepKind = keyof StepArgs

/**
 * One action of a plan, a discriminated union on `kind`; `args` is what its executor needs.
 * `critical` steps stop the plan when they fail (nothing after them may run safely);
 * the rest are reported and the plan goes on (exit 3, partial).
 * `concurrent`: the step starts together with the one before it instead of after it; a run of
 * such steps is one group, and the next step without the flag starts once the whole group is done
 * (so it may depend on any of them). A critical failure in a group skips what comes after the group.
 * `detached`: a check, not a change; it runs after the transition, outside the node's lock, so the
 * next transition (a take-over) never waits behind it (handle-transition.ts).
 */
export type Step = {[K in StepKind]: {kind: K; args: StepArgs[K]; why: string; critical: boolean; concurrent?: true; detached?: true}}[StepKind]

/** The step of one kind. */
export type StepOf<K extends StepKind> = Extract<Step, {kind: K}>

export type StepOutcome = {
  /** A StepKind; string because state files written by other versions are read back too. */
  kind: string
  why: string
  status: 'ok' | 'failed' | 'skipped'
  durationMs: number
  detail?: string
  error?: string
}

/** What the transition engine observed before planning (read from the kernel, networkd, files). */
export type ObservedWan = {
  /** Copies of "to all lookup <table> priority <prio>" with ha-tool's protocol present. */
  ruleCount: number
  /**
   * Every rule at that priority and table, in the kernel's order (the order `ip rule del` matches
   * in): what it takes to remove ha-tool's earlier rules, added without protocol, and no other.
   * Undefined when not read.
   */
  ruleSlot?: RuleAtSlot[]
  /**
   * The same for IPv6 (`ip -6 rule`); undefined when not read (wan.ipv6 = false) or when the
   * kernel has no IPv6, and then the planner leaves IPv6 rules alone.
   */
  rule6Count?: number
  /** The same as ruleSlot for IPv6. */
  rule6Slot?: RuleAtSlot[]
  /** Table <wan.table> has an IPv6 default route (undefined when not read). */
  hasDefaultRoute6?: boolean
  /**
   * The prefixes this node's DHCPv6 client holds now (networkd's `unreachable` routes for them,
   * "2001:db8:100::/56"); undefined when not read (wan.ipv6 = false, a kernel without IPv6).
   */
  delegated6?: string[]
  link: {exists: boolean; adminUp: boolean; carrier: boolean}
  hasAddress: boolean
  /** Table <wan.table> has a default route. */
  hasDefaultRoute: boolean
  /** The BACKUP-silence nftables table is loaded. */
  silenced: boolean
  /** The delegated prefix on the LAN and on the IPv6 VMAC (undefined when not read: lan-prefix.ts). */
  lan6?: ObservedLanPrefix
}

/** The state file (<state.dir>/state.json), read by status and by the next transition. */
export type StateFile = {
  version: 1
  role: Role
  /** Where the event came from: notify (script mode), fifo, dbus (daemon start-up), resync, hand. */
  source: string
  instance: string
  /** Wall-clock ms of when the transition started and ended. */
  startedAt: number
  finishedAt: number
  /** Ordering key of the invocation that wrote this (see core/transition/order.ts). */
  order?: {startTicks: number; pid: number}
  exit: number
  steps: StepOutcome[]
  /** Earlier transitions, newest first (bounded). */
  history: Array<{role: Role; source: string; startedAt: number; durationMs: number; exit: number}>
}

/**
 * Step kinds that never change what ObservedWan holds (rules, the WAN link, its addresses and routes,
 * the silence): after a plan of only these the daemon's cached view of the WAN stays valid. A
 * returning BACKUP's conntrackd steps are such a plan, and the next transition is its take-over.
 */
export const WAN_NEUTRAL_STEPS: ReadonlySet<StepKind> = new Set<StepKind>([
  'vip.release', 'wan.missing',
  'conntrackd.commit', 'conntrackd.flush', 'conntrackd.resync-kernel', 'conntrackd.bulk-send', 'conntrackd.purge',
  'conntrackd.request-resync', 'conntrackd.start', 'conntrackd.verify-sync',
  'leases.pull', 'dnsmasq.start', 'dnsmasq.stop',
])
