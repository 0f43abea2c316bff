import type {RuleAtSlot} from '../transition/types.js'

/**
 * Protocols that name no owner: unspec (0), what `ip rule add` without `protocol` gives (iproute2
 * 6.1, and how ha-tool added its rule before wan.rule_protocol), and boot (3), iproute2's generic
 * default for routes. A plain rule at ha-tool's priority and table with one of these is ha-tool's
 * own earlier rule, converged like its current one. A rule of a named protocol (static: networkd or
 * by hand, 18: keepalived, a routing daemon's) belongs to whoever set it and is never touched.
 */
export const LEGACY_RULE_PROTOCOLS: readonly number[] = [0, 3]

/** A plain rule (ha-tool's selector) with an ownerless protocol other than ha-tool's own. */
export const isLegacyRule = (r: RuleAtSlot, protocol: number): boolean => r.plain && r.protocol !== protocol && LEGACY_RULE_PROTOCOLS.includes(r.protocol)

/**
 * The `ip rule del priority P lookup T protocol X` commands, as their X in order, that remove
 * ha-tool's earlier rules from `slot` (every rule at P and T, in the kernel's order) and nothing
 * else, after ha-tool's own steps ran: all its copies deleted (`keepOwn` false), or all but one
 * (`keepOwn` true: duplicates deleted, or one appended when there was none).
 * The kernel deletes the first rule at P and T whose protocol matches, and protocol 0 matches any:
 * an unspec rule can be deleted only when nothing that must stay comes before it. `stuck` counts
 * the earlier rules that cannot be deleted without touching another rule (doctor reports them).
 */
export function legacyRuleDeletes(slot: readonly RuleAtSlot[], protocol: number, keepOwn: boolean): {protocols: number[]; stuck: number} {
  const rules = [...slot]
  // ha-tool's own steps first: `protocol <own>` deletes the first rules with it; an add goes last.
  const own = rules.filter((r) => r.plain && r.protocol === protocol).length
  const toDelete = keepOwn ? Math.max(0, own - 1) : own
  for (let n = 0; n < toDelete; n++) rules.splice(rules.findIndex((r) => r.protocol === protocol), 1)
  if (keepOwn && own === 0) rules.push({protocol, plain: true})
  const protocols: number[] = []
  for (;;) {
    const next = rules.find((target) => {
      const hit = rules.find((r) => target.protocol === 0 || r.protocol === target.protocol)
      return isLegacyRule(target, protocol) && hit !== undefined && isLegacyRule(hit, protocol)
    })
    if (next === undefined) break
    const hit = rules.findIndex((r) => next.protocol === 0 || r.protocol === next.protocol)
    protocols.push(next.protocol)
    rules.splice(hit, 1)
  }
  return {protocols, stuck: rules.filter((r) => isLegacyRule(r, protocol)).length}
}
