import {findAll, findOne, walkConf, type ConfNode} from '../../core/parse/brace-conf.js'
import {lanPrefixConfig} from '../../core/transition/lan-prefix.js'
import {type DoctorCheck, fail, pass, skip, warn} from './types.js'

const FIX = 'ha-tool config example keepalived and ha-tool config example dnsmasq print the IPv6 parts (docs/ipv6.md)'

/**
 * lan.ipv6: the IPv6 VIPs must move with the IPv4 one (one sync group), and router advertisements
 * must come from the link-local VIP on the IPv6 VMAC: an RA from a node's own link-local address
 * makes clients keep routing to that node after a failover, until the router lifetime runs out.
 */
export const lanIpv6: DoctorCheck = {
  id: 'lan-ipv6',
  title: 'IPv6 on the LAN: the IPv6 instance in the sync group, RAs from the link-local VIP only',
  run(ctx) {
    const {lan, keepalived} = ctx.config
    const options = ctx.dnsmasq()
    const raOn = options?.some((o) => o.name === 'enable-ra') ?? false
    if (!lan.ipv6) {
      if (raOn) return warn(`${ctx.config.doctor.dnsmasq_conf}: enable-ra, but lan.ipv6 = false: router advertisements then come from this node's own link-local address, and clients keep routing to it after a failover`, `set lan.ipv6 = true (and lan.vip6) on both nodes; ${FIX}`)
      return skip('lan.ipv6 = false')
    }
    const tree = ctx.keepalived()
    if (!tree) return skip(`${keepalived.config}: not found`)
    const problems: string[] = []
    const instances = walkConf(tree).filter((n) => n.key === 'vrrp_instance')
    const ll = lan.vip6_link_local
    const six = instances.find((i) => firstVip(i) === ll)
    let vmac6 = `vrrp6.${lan.vrid}`
    if (!six) problems.push(`${keepalived.config}: no vrrp_instance has the link-local VIP ${ll} as its first virtual_ipaddress`)
    else {
      const vmac = findAll(six.children, 'use_vmac')[0]
      if (!vmac) problems.push(`vrrp_instance ${six.args[0]} (line ${six.line}): no use_vmac, so the link-local VIP sits beside this node's own link-local address and clients may learn either`)
      else vmac6 = vmac.args[0] ?? `vrrp6.${findAll(six.children, 'virtual_router_id')[0]?.args[0] ?? lan.vrid}`
      const grouped = walkConf(tree).filter((n) => n.key === 'vrrp_sync_group').some((g) => {
        const members = findAll(g.children, 'group').flatMap((m) => m.children.map((c) => c.key))
        return members.includes(six.args[0]) && members.includes(keepalived.instance)
      })
      if (!grouped) problems.push(`no vrrp_sync_group holds both ${six.args[0]} and keepalived.instance "${keepalived.instance}": the IPv6 VIPs could stay on one node while the IPv4 VIP and the WAN move to the other`)
    }
    if (!options) problems.push(`${ctx.config.doctor.dnsmasq_conf}: not found, so nothing sends router advertisements`)
    else if (!raOn) problems.push(`${ctx.config.doctor.dnsmasq_conf}: no enable-ra, so LAN clients get no IPv6 router`)
    else {
      const elsewhere = new Set<string>()
      for (const o of options) {
        if (o.name === 'dhcp-range') {
          const ctor = /constructor:([^,]+)/.exec(o.value)?.[1]
          if (ctor && ctor !== vmac6) elsewhere.add(`dhcp-range constructor:${ctor} (line ${o.line})`)
          else if (!ctor && o.value.split(',')[0].includes(':') && !/^tag:/.test(o.value)) elsewhere.add(`dhcp-range ${o.value} (line ${o.line}), not bound to ${vmac6}`)
        }
        if (o.name === 'ra-param' && o.value.split(',')[0] !== vmac6) elsewhere.add(`ra-param ${o.value} (line ${o.line})`)
      }
      // An address of the delegated prefix on lan.interface (networkd) would match the VMAC's constructed
      // range, and dnsmasq would advertise it from there too: from this node's own link-local address.
      if (!options.some((o) => (o.name === 'no-dhcpv6-interface' || o.name === 'no-dhcp-interface') && o.value === lan.interface)) {
        problems.push(`${ctx.config.doctor.dnsmasq_conf}: no no-dhcpv6-interface=${lan.interface}, so dnsmasq also advertises from ${lan.interface} (this node's own link-local address) every /64 it holds there, the delegated prefix's included`)
      }
      if (elsewhere.size > 0) problems.push(`${ctx.config.doctor.dnsmasq_conf}: router advertisements or IPv6 ranges off ${vmac6}: ${[...elsewhere].join(', ')}; they come from this node's own link-local address`)
      else if (!options.some((o) => o.name === 'dhcp-range' && o.value.includes(`constructor:${vmac6}`))) problems.push(`${ctx.config.doctor.dnsmasq_conf}: no dhcp-range with constructor:${vmac6}, so no prefix is advertised`)
    }
    if (problems.length > 0) return fail(problems.join('; '), FIX)
    // networkd renumbers the LAN (and a new MASTER's delegation arrives) between transitions: only the
    // daemon, woken by the address change, moves the delegated prefix into the RAs then.
    const fifo = ['vrrp_notify_fifo', 'notify_fifo'].some((k) => findOne(ctx.globalDefs(), k)) || ctx.keepalivedScripts().some((s) => /fifo_script$/.test(s.key))
    if (lanPrefixConfig(ctx.config) && !fifo) {
      return warn(`${keepalived.config}: notify scripts only (no vrrp_notify_fifo): a delegated prefix that arrives or changes between transitions (a renumbering, a new MASTER's delegation coming after its notify) reaches the router advertisements only at the next transition`, 'run ha-tool-daemon on keepalived\'s notify FIFO: `ha-tool config example keepalived --mode fifo` (docs/ipv6.md)')
    }
    return pass(`${six!.args[0]} (${ll} on ${vmac6}) in a sync group with ${keepalived.instance}; dnsmasq advertises on ${vmac6} only`)
  },
}

/** The first virtual_ipaddress of an instance, without its prefix length. */
function firstVip(inst: ConfNode): string | undefined {
  return findAll(inst.children, 'virtual_ipaddress')[0]?.children[0]?.key.replace(/\/\d+$/, '')
}
