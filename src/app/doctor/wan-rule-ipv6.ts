import {countWanRules} from '../../core/iproute/wan-state.js'
import {type DoctorCheck, fail, pass, skip} from './types.js'

/**
 * wan.ipv6: the IPv6 WAN rule must follow the IPv4 one. A MASTER with only the IPv4 rule sends
 * no IPv6 out of the WAN; a BACKUP with a leftover IPv6 rule routes IPv6 out of a WAN the
 * MASTER owns (its frames carry the shared MAC).
 */
export const wanRuleIpv6: DoctorCheck = {
  id: 'wan-rule-ipv6',
  title: 'the IPv6 WAN rule follows the IPv4 one (wan.ipv6)',
  async run(ctx) {
    const {table, rule_priority: prio, rule_protocol: protocol, ipv6} = ctx.config.wan
    const ours = {table, priority: prio, protocol}
    if (!ipv6) return skip('wan.ipv6 = false: ha-tool leaves IPv6 rules alone')
    if (!ctx.deps.live) return skip('not the live node (--root): the rules exist only at run time')
    let v4: number, v6: number
    try {
      v4 = countWanRules(await ctx.deps.probes.ipRules(4), ours)
    } catch (error) {
      return skip(`cannot read the rules (ip -j rule show): ${(error as Error).message}`)
    }
    try {
      v6 = countWanRules(await ctx.deps.probes.ipRules(6), ours)
    } catch (error) {
      return skip(`cannot read the IPv6 rules (ip -6 -j rule show): ${(error as Error).message}; a kernel without IPv6 needs wan.ipv6 = false`)
    }
    const role = ctx.deps.state?.role
    const want = role === undefined ? v4 : role === 'MASTER' ? 1 : 0
    const rule = `to all lookup ${table} priority ${prio} protocol ${protocol}`
    const say = (n: number) => (n === 0 ? 'absent' : n === 1 ? 'present' : `${n} copies`)
    const fix = role ? `run \`ha-tool notify ${role.toLowerCase()}\` to converge` : 'run `ha-tool notify master` or `ha-tool notify backup` for the role keepalived reports'
    if (v6 !== want) {
      return fail(`${role ?? 'role unknown'}: IPv4 rule "${rule}" ${say(v4)}, IPv6 rule ${say(v6)}${v6 > want ? ': IPv6 leaves through a WAN this node should not route' : ': IPv6 does not leave through the WAN'}`, fix)
    }
    return pass(`${role ?? 'role unknown'}: "${rule}" ${say(v4)} for IPv4 and IPv6`)
  },
}
