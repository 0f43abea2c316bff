import type {ObservedWan, RuleAtSlot, WanRule} from '../transition/types.js'
import {isLegacyRule} from './legacy-rules.js'

/** One rule as `ip -j -N rule show` prints it. */
type IpRule = {priority?: number; src?: string; dst?: string; table?: string; protocol?: string | number; iif?: string; oif?: string; fwmark?: string; not?: boolean; action?: string; [k: string]: unknown}

/** Selectors that make a rule something other than a plain "to all lookup T priority P". */
const SELECTORS = ['dst', 'iif', 'oif', 'fwmark', 'not', 'ipproto', 'sport', 'dport', 'uidrange', 'l3mdev', 'tos', 'dsfield', 'tun_id']

const isPlain = (r: IpRule) => (r.src === undefined || r.src === 'all') && SELECTORS.every((s) => r[s] === undefined || (s === 'dst' && r[s] === 'all'))

/** Plain `to all lookup <table> priority <priority>` rules (from all, no other selector), of any protocol. */
function plainRules(rules: readonly IpRule[], rule: WanRule): IpRule[] {
  return rules.filter((r) => r.priority === rule.priority && String(r.table) === String(rule.table) && isPlain(r))
}

/** `ip -j -N` prints the protocol as a number, and not at all for unspec (0). */
const protocolOf = (r: IpRule) => (r.protocol === undefined ? 0 : Number(r.protocol))

/** Every rule at the WAN rule's priority and table, plain or not, in the order `ip rule show` lists them (the kernel's). */
export function rulesAtSlot(rules: readonly IpRule[], rule: WanRule): RuleAtSlot[] {
  return rules.filter((r) => r.priority === rule.priority && String(r.table) === String(rule.table)).map((r) => ({protocol: protocolOf(r), plain: isPlain(r)}))
}

/** Copies of ha-tool's WAN rule: the plain rule with ha-tool's protocol. */
export function countWanRules(rules: readonly IpRule[], rule: WanRule): number {
  return plainRules(rules, rule).filter((r) => protocolOf(r) === rule.protocol).length
}

/**
 * Plain rules that look like the WAN rule but carry another protocol, split in two: `earlier`,
 * ownerless ones (unspec, boot: an older ha-tool's, which converging replaces or removes;
 * legacy-rules.ts), and `foreign`, a named protocol's (a user's, networkd's, keepalived's
 * virtual_rules), which ha-tool leaves alone but which on a BACKUP still send traffic out of the WAN.
 */
export function countLookAlikeWanRules(rules: readonly IpRule[], rule: WanRule): {earlier: number; foreign: number} {
  const others = plainRules(rules, rule).filter((r) => protocolOf(r) !== rule.protocol)
  const earlier = others.filter((r) => isLegacyRule({protocol: protocolOf(r), plain: true}, rule.protocol)).length
  return {earlier, foreign: others.length - earlier}
}

/**
 * Splits the output of `ip -j -N -force -batch -` into one parsed JSON array per command.
 * A command that failed (e.g. a missing device) prints nothing on stdout; `expected` says
 * how many arrays to wait for, so a failure shows up as `undefined` in its place only when
 * the rest still line up (ip prints the arrays in command order, one per line).
 */
export function splitBatchJson(stdout: string): unknown[][] {
  return stdout.split('\n').filter((l) => l.trim().startsWith('[')).map((l) => JSON.parse(l) as unknown[])
}

type IpAddr = {ifname?: string; flags?: string[]; operstate?: string; addr_info?: Array<{family?: string; local?: string; scope?: string | number}>}
type IpRoute = {dst?: string; gateway?: string; dev?: string}

/**
 * What the WAN looks like, from `ip -j -N rule show`, `ip -j route show table <t>` and
 * `ip -j addr show dev <wan>` (undefined when the device does not exist).
 */
export function observeWan(input: {rules: IpRule[]; routes: IpRoute[]; addr: IpAddr[] | undefined; silenced: boolean}, rule: WanRule): ObservedWan {
  const link = input.addr?.[0]
  const flags = link?.flags ?? []
  return {
    ruleCount: countWanRules(input.rules, rule),
    ruleSlot: rulesAtSlot(input.rules, rule),
    link: {exists: link !== undefined, adminUp: flags.includes('UP'), carrier: flags.includes('LOWER_UP') && !flags.includes('NO-CARRIER')},
    hasAddress: (link?.addr_info ?? []).some((a) => a.family === 'inet' && String(a.scope) !== 'host' && String(a.scope) !== '254'),
    hasDefaultRoute: input.routes.some((r) => r.dst === 'default' || r.dst === '0.0.0.0/0'),
    silenced: input.silenced,
  }
}

/**
 * The IPv6 half of the view, from `ip -6 -j -N rule show` and `ip -6 -j route show table all default`:
 * copies of the IPv6 WAN rule, and whether <table> holds an IPv6 default route.
 */
export function observeWan6(input: {rules: IpRule[]; routes: Array<IpRoute & {table?: string}>}, rule: WanRule): {rule6Count: number; rule6Slot: RuleAtSlot[]; hasDefaultRoute6: boolean} {
  return {
    rule6Count: countWanRules(input.rules, rule),
    rule6Slot: rulesAtSlot(input.rules, rule),
    hasDefaultRoute6: input.routes.some((r) => String(r.table) === String(rule.table) && (r.dst === 'default' || r.dst === '::/0')),
  }
}

/** The WAN address(es) for status and probes. */
export function wanAddresses(addr: IpAddr[] | undefined): string[] {
  return (addr?.[0]?.addr_info ?? []).filter((a) => a.family === 'inet' && a.local).map((a) => a.local!)
}

/**
 * The delegated IPv6 prefixes, from `ip -6 -j route show table all type unreachable proto dhcp`:
 * a DHCPv6 client that holds a delegated prefix (networkd) keeps an unreachable route for all of it,
 * so the parts not assigned to a LAN are not routed back out of the WAN. Sorted, without duplicates.
 */
export function delegatedPrefixes(routes: ReadonlyArray<{dst?: string; type?: string}>): string[] {
  return [...new Set(routes.filter((r) => r.type === 'unreachable' && r.dst && r.dst.includes('/')).map((r) => r.dst!))].sort()
}
