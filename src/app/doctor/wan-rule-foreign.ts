import {countForeignWanRules} from '../../core/iproute/wan-state.js'
import {type DoctorCheck, fail, pass, skip, warn} from './types.js'

/**
 * ha-tool converges only rules of its own protocol (wan.rule_protocol). A rule that looks like the
 * WAN rule but carries another protocol (yours, keepalived's virtual_rules, one an older ha-tool
 * left) is never touched, yet on a BACKUP it routes traffic out of a WAN the MASTER owns.
 */
export const wanRuleForeign: DoctorCheck = {
  id: 'wan-rule-foreign',
  title: 'no other rule routes through the WAN table at wan.rule_priority',
  async run(ctx) {
    if (!ctx.deps.live) return skip('not the live node (--root): the rules exist only at run time')
    const {table, rule_priority: priority, rule_protocol: protocol, ipv6} = ctx.config.wan
    const rule = {table, priority, protocol}
    const found: string[] = []
    for (const family of ipv6 ? [4, 6] as const : [4] as const) {
      let rules
      try {
        rules = await ctx.deps.probes.ipRules(family)
      } catch (error) {
        if (family === 6) continue // wan-rule-ipv6 says why
        return skip(`cannot read the rules (ip -j rule show): ${(error as Error).message}`)
      }
      const n = countForeignWanRules(rules, rule)
      if (n > 0) found.push(`${n} ${family === 6 ? 'IPv6' : 'IPv4'}`)
    }
    const what = `"to all lookup ${table} priority ${priority}"`
    if (found.length === 0) return pass(`only ha-tool's ${what} (protocol ${protocol}) there, if any`)
    const detail = `${found.join(' and ')} rule(s) ${what} of another protocol than ha-tool's (${protocol}): ha-tool never removes them`
    const fix = `delete them (\`ip rule del priority ${priority} lookup ${table} protocol <theirs>\`, \`ip -6 rule ...\` likewise) and let ha-tool add its own, or move them to another priority`
    const role = ctx.deps.state?.role
    if (role !== undefined && role !== 'MASTER') return fail(`${role}: ${detail}, so this node routes out of the WAN the MASTER owns`, fix)
    return warn(`${role ?? 'role unknown'}: ${detail}; they stay when this node becomes BACKUP`, fix)
  },
}
