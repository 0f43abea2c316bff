import {dhcpOptionValue} from '../../core/parse/dnsmasq-conf.js'
import {type DoctorCheck, fail, pass, skip} from './types.js'

/** Clients must be told the VIP as router and DNS server; dnsmasq's default is the node's own address, which dies with the node. */
export const dnsmasqVip: DoctorCheck = {
  id: 'dnsmasq-vip',
  title: 'dnsmasq hands out the VIP as router and DNS server',
  run(ctx) {
    const options = ctx.dnsmasq()
    if (!options) return skip(`${ctx.config.doctor.dnsmasq_conf}: not found (dnsmasq not used for the LAN?)`)
    if (!options.some((o) => o.name === 'dhcp-range')) return skip(`${ctx.config.doctor.dnsmasq_conf}: no dhcp-range, dnsmasq serves no DHCP here`)
    const vip = ctx.config.lan.vip
    const problems: string[] = []
    for (const which of ['router', 'dns-server'] as const) {
      const v = dhcpOptionValue(options, which)
      if (!v || v.length === 0) problems.push(`${which}: not set, so dnsmasq hands out this node's own address`)
      else if (v[0] !== vip && !(which === 'router' && v[0] === '0.0.0.0')) problems.push(`${which}: ${v.join(',')}, not the VIP ${vip}`)
      else if (v[0] === '0.0.0.0') problems.push(`${which}: 0.0.0.0 means this node's own address`)
    }
    if (problems.length === 0) return pass(`router and DNS server: ${vip}`)
    return fail(`${ctx.config.doctor.dnsmasq_conf}: ${problems.join('; ')}`, `add dhcp-option=option:router,${vip} and dhcp-option=option:dns-server,${vip}`)
  },
}
