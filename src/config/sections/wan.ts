import {ifnameProblem} from '../../core/iproute/ifname.js'
import {bool, int, oneOf, str} from '../spec.js'

/** Empty is "not set" (the required check says so); anything else must be a name the kernel takes. */
const ifname = (v: string) => (v === '' ? undefined : ifnameProblem(v))
const reservedTable = (t: number) => (t >= 253 && t <= 255 ? 'a table other than 253..255 (default, main, local)' : undefined)

/** Protocol numbers iproute2's rt_protos names for other daemons (a rule of theirs is not ours). */
const TAKEN_PROTOCOLS = new Map<number, string>([[8, 'gated'], [9, 'ra'], [10, 'mrt'], [11, 'zebra'], [12, 'bird'], [13, 'dnrouted'], [14, 'xorp'], [15, 'ntk'], [16, 'dhcp'], [17, 'mrouted'], [18, 'keepalived'], [42, 'babel'], [99, 'openr'], [186, 'bgp'], [187, 'isis'], [188, 'ospf'], [189, 'rip'], [192, 'eigrp']])

export const wan = {
  interface: str('', 'WAN interface carrying the shared MAC and DHCP lease (required)', {required: true, check: ifname}),
  table: int(250, 1, 4294967295, 'routing table holding the WAN default route (networkd [DHCPv4] RouteTable=)', reservedTable),
  rule_priority: int(32770, 1, 4294967295, 'priority of the "to all lookup <table>" rule present only while MASTER', (p) => (p === 32766 || p === 32767 ? 'a priority other than 32766 and 32767 (the kernel\'s main and default rules)' : undefined)),
  rule_protocol: int(73, 5, 255, 'routing protocol number ha-tool\'s WAN rules carry (iproute2 `protocol` on rules, kernel >= 4.17): ha-tool counts, adds and deletes only rules of this protocol (and its earlier ones without protocol: docs/ipv6.md), so a rule of yours or another daemon\'s with a named protocol and the same priority and selector is never touched and never makes an add fail (EEXIST); not 0..4 (kernel values) nor one another router daemon uses', (p) => (TAKEN_PROTOCOLS.has(p) ? `a protocol no other daemon uses (${p} is ${TAKEN_PROTOCOLS.get(p)}'s)` : undefined)),
  ipv6: bool(true, 'MASTER also adds the IPv6 rule "to all lookup <table> priority <rule_priority>" (ip -6 rule), BACKUP removes it; harmless without IPv6 on the WAN (an empty table falls through)'),
  dhcpv6: bool(true, 'the WAN asks for IPv6 too (router advertisements, DHCPv6 with a delegated prefix) in `config example networkd`, and doctor checks it (networkd-wan-dhcpv6); a keep-up MASTER that takes over holding no delegated prefix then has networkd restart its DHCP clients (with renew or link_via = "networkd"; docs/ipv6.md); only with wan.ipv6. false: an IPv4-only WAN link (DHCP=ipv4, no link-local IPv6), for an ISP without IPv6'),
  dhcpv6_iaid: int(1, 0, 4294967295, 'IAID of the WAN\'s DHCPv6 client (networkd [DHCPv6] IAID=, in `config example networkd`); the same on both nodes, so with the shared MAC (DUIDType=link-layer) they are one client and get one delegated prefix'),
  link: oneOf(['keep-up', 'down-on-backup'], 'keep-up', 'keep-up: the WAN stays up on BACKUP (and is silenced); down-on-backup: the link goes down on BACKUP'),
  link_via: oneOf(['netlink', 'networkd'], 'netlink', 'who takes the WAN link down/up: netlink (ip link; needs ActivationPolicy=manual) or networkd (runtime drop-in + Reload)'),
  renew: oneOf(['none', 'networkd'], 'none', 'networkd: ask networkd over D-Bus to renew the lease after the link comes up on MASTER'),
  network_file: str('', 'name of the WAN .network file for the networkd drop-in; "" = ask networkd (DescribeLink)'),
  silence: oneOf(['nftables', 'none'], 'nftables', 'keep-up mode: drop all WAN ingress and egress while BACKUP (nftables netdev table), lifted first on MASTER'),
  up_timeout_ms: int(8000, 100, 120000, 'how long a MASTER transition waits for carrier, address and the table default route'),
  networkd_runtime_dir: str('/run/systemd/network', 'where link_via = "networkd" writes its runtime drop-in (<dir>/<network file>.d/ha-tool.conf)'),
  dbus_timeout_ms: int(3000, 100, 60000, 'timeout of one D-Bus call to networkd or keepalived'),
} as const
