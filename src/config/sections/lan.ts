import {ifnameProblem} from '../../core/iproute/ifname.js'
import {isLinkLocal6, isMulticast6, parseIpv6} from '../../core/parse/ipv6.js'
import {bool, int, str} from '../spec.js'

const ipv4 = (what: string) => (v: string) => (v === '' || /^\d{1,3}(\.\d{1,3}){3}$/.test(v) ? undefined : `an IPv4 address (${what})`)
const linkLocal = (v: string) => {
  const g = parseIpv6(v)
  return g && isLinkLocal6(g) ? undefined : 'an IPv6 link-local address (fe80::/10) without prefix length, like "fe80::1"'
}
const cidr6 = (v: string) => {
  const m = /^([^/]+)\/64$/.exec(v)
  const g = m ? parseIpv6(m[1]) : undefined
  return v === '' || (g && !isLinkLocal6(g) && !isMulticast6(g)) ? undefined : 'an IPv6 unicast address with prefix length 64 (the prefix SLAAC clients number themselves from), like "fd00:1::1/64"'
}
const cidr = (v: string) => (v === '' || /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(v) ? undefined : 'an IPv4 address with its prefix length, like "192.168.1.1/24"')

/** The LAN side of the pair (DESIGN.md section 1): read by `config example` and `doctor`, never changed by ha-tool. */
export const lan = {
  interface: str('ens6', 'LAN interface, the one keepalived\'s VRRP instance runs on', {check: (v) => (v === '' ? undefined : ifnameProblem(v))}),
  vip: str('192.168.1.3', 'the virtual IP LAN clients use as gateway and DNS server', {check: ipv4('the VIP')}),
  address: str('', 'this node\'s own LAN address with prefix, e.g. "192.168.1.1/24"; "" = not stated (examples show a placeholder)', {check: cidr}),
  vrid: int(60, 1, 255, 'keepalived virtual_router_id; with use_vmac the VIP interface is vrrp.<vrid>'),
  ipv6: bool(false, 'IPv6 on the LAN: `config example keepalived` adds a VRRPv3 IPv6 instance (same vrid, VIP interface vrrp6.<vrid>) in one sync group with the IPv4 one, and `config example dnsmasq` sends router advertisements from its link-local VIP, which only the MASTER holds (docs/ipv6.md); needs keepalived.instance and lan.vip6'),
  vip6_link_local: str('fe80::1', 'the IPv6 link-local VIP (lan.ipv6): the default router LAN clients learn from router advertisements; it stays the same across a failover', {check: linkLocal}),
  vip6: str('', 'the LAN\'s IPv6 VIP with its /64 (lan.ipv6), e.g. a ULA "fd00:1::1/64" or a static address from your delegated prefix: router advertisements carry its /64 for SLAAC and name it as DNS server; "" = not stated', {check: cidr6}),
  pd_subnet_id: int(0, 0, 65535, 'which /64 of the WAN\'s delegated IPv6 prefix the LAN takes (networkd [DHCPPrefixDelegation] SubnetId=, in `config example networkd` with wan.dhcpv6); the same on both nodes, so a failover keeps the LAN\'s prefix. 0 is the first /64; a /56 has 0..255, a /48 0..65535'),
  fallback_table: int(240, 1, 4294967295, 'table holding the fallback default route via the VIP (networkd [Route] Table=)'),
  fallback_priority: int(32780, 1, 4294967295, 'priority of the "iif lo lookup <fallback_table>" rule (networkd [RoutingPolicyRule])'),
} as const
