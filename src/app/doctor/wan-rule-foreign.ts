import {legacyRuleDeletes} from '../../core/iproute/legacy-rules.js'
import {countLookAlikeWanRules, rulesAtSlot} from '../../core/iproute/wan-state.js'
import {type DoctorCheck, fail, pass, skip, warn} from './types.js'

/**
 * ha-tool converges only rules of its own protocol (wan.rule_protocol) and its own earlier ones
 * (plain, protocol unspec or boot: core/iproute/legacy-rules.ts). A rule that looks like the WAN
 * rule but carries a named protocol (yours, networkd's, keepalived's virtual_rules) is never
 * touched, yet on a BACKUP it routes traffic out of a WAN the MASTER owns. Earlier rules still
 * here mean no transition ran since the upgrade, or one cannot be deleted alone (a rule before it).
 */
export const wanRuleForeign: DoctorCheck = {
  id: 'wan-rule-foreign',
  title: 'no other rule routes through the WAN table at wan.rule_priority',
  async run(ctx) {
    if (!ctx.deps.live) return skip('not the live node (--root): the rules exist only at run time')
    const {table, rule_priority: priority, rule_protocol: protocol, ipv6} = ctx.config.wan
    const rule = {table, priority, protocol}
    const role = ctx.deps.state?.role
    const foreign: string[] = []
    const earlier: string[] = []
    let stuck = 0
    for (const family of ipv6 ? [4, 6] as const : [4] as const) {
      let rules
      try {
        rules = await ctx.deps.probes.ipRules(family)
      } catch (error) {
        if (family === 6) continue // wan-rule-ipv6 says why
        return skip(`cannot read the rules (ip -j rule show): ${(error as Error).message}`)
      }
      const name = family === 6 ? 'IPv6' : 'IPv4'
      const n = countLookAlikeWanRules(rules, rule)
      if (n.foreign > 0) foreign.push(`${n.foreign} ${name}`)
      if (n.earlier > 0) earlier.push(`${n.earlier} ${name}`)
      stuck += legacyRuleDeletes(rulesAtSlot(rules, rule), protocol, role === 'MASTER').stuck
    }
    const what = `"to all lookup ${table} priority ${priority}"`
    if (foreign.length === 0 && earlier.length === 0) return pass(`only ha-tool's ${what} (protocol ${protocol}) there, if any`)
    const found: string[] = []
    if (foreign.length > 0) found.push(`${foreign.join(' and ')} rule(s) ${what} of another protocol than ha-tool's (${protocol}): ha-tool never removes them`)
    if (earlier.length > 0) {
      found.push(`${earlier.join(' and ')} earlier ha-tool rule(s) ${what} without protocol (unspec/boot): ${stuck > 0
        ? `${stuck} cannot be deleted alone (\`ip rule del\` by protocol unspec would take the rule before it)`
        : `the next transition or the daemon's reconcile ${role === 'MASTER' ? 'replaces' : 'removes'} them`}`)
    }
    const detail = found.join('; ')
    const fix = foreign.length > 0 || stuck > 0
      ? `delete them (\`ip rule del priority ${priority} lookup ${table} protocol <theirs>\`, \`ip -6 rule ...\` likewise) and let ha-tool add its own, or move them to another priority`
      : 'the daemon repairs them on its next reconcile; in notify mode they go at the next transition, or now with `ha-tool notify INSTANCE <instance> <this role> 0`'
    if (role !== undefined && role !== 'MASTER') return fail(`${role}: ${detail}, so this node routes out of the WAN the MASTER owns`, fix)
    return warn(`${role ?? 'role unknown'}: ${detail}${foreign.length > 0 ? '; they stay when this node becomes BACKUP' : ''}`, fix)
  },
}
