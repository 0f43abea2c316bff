import {configError} from '../errors.js'
import {dhcpRange, type DhcpRange, rangeHalf} from './dhcp-range.js'
import {dnsmasqScriptPath, shippedScriptFits} from './dnsmasq-script.js'
import {command, DNSMASQ_HOOK, type ExampleSite, header, lanAddresses, vmac6Name, vmacName, withoutPrefix} from './site.js'

/**
 * dnsmasq for the LAN: clients get the VIP as router and DNS server, so a failover never
 * changes what they were told. Lease replication is ha-tool's (`leases hook`, `leases sync`).
 */
export function dnsmasqExample(site: ExampleSite): string {
  const lan = lanAddresses(site)
  const d = site.dnsmasq
  const whole = dhcpRange(lan.self, [withoutPrefix(lan.other), site.lan.vip])
  if ('error' in whole) throw configError(`lan.address = ${JSON.stringify(lan.self)}: ${whole.error}`)
  // Both nodes serving (active/active) must not hand out the same address: each takes its half.
  const range = d.stop_on_backup ? whole : rangeHalf(whole, withoutPrefix(lan.self), withoutPrefix(lan.other))
  if ('error' in range) throw configError(`lan.address = ${JSON.stringify(lan.self)}: ${range.error}`)
  const peerHalf = d.stop_on_backup ? undefined : rangeHalf(whole, withoutPrefix(lan.other), withoutPrefix(lan.self))
  if (peerHalf && 'error' in peerHalf) throw configError(`lan.address = ${JSON.stringify(lan.self)}: ${peerHalf.error}`)
  return [
    header(site, '#', 'dnsmasq.conf (LAN DHCP and DNS)', d.stop_on_backup
      ? ['The same file on both nodes: ha-tool starts dnsmasq on MASTER and stops it on BACKUP, and',
          'replicates the leases, so the range and options must match.']
      : ['Both nodes serve (dnsmasq.stop_on_backup = false): each node\'s file holds its own half of',
          'the range; ha-tool replicates the leases, so the options must match.']),
    '',
    `interface=${site.lan.interface}`,
    `# DNS on the VIP too: it sits on vrrp.${site.lan.vrid} and only while MASTER, so bind-dynamic picks it up when it comes.`,
    `listen-address=${site.lan.vip}`,
    'bind-dynamic',
    `# ...but never DHCP there: a reply sent from the virtual MAC by a node that is not MASTER moves the`,
    `# VIP's MAC to that node's switch port and cuts the clients off (seen in the lab).`,
    `no-dhcp-interface=${vmacName(site)}`,
    '',
    `# Clients must use the VIP (${site.lan.vip}), never a node's own address: it moves with the MASTER.`,
    `dhcp-option=option:router,${site.lan.vip}`,
    `dhcp-option=option:dns-server,${site.lan.vip}`,
    ...(lan.stated ? [] : ['# PLACEHOLDER: your LAN\'s range']),
    ...(d.stop_on_backup
      ? [`# The largest run of ${range.network} that neither node nor the VIP holds (${range.size} addresses).`]
      : [`# This node's half (${range.size} addresses) of the largest run of ${range.network} that neither node nor`,
          '# the VIP holds: the node with the lower LAN address takes the lower half.']),
    '# Derived from lan.address; narrow it if static hosts live there. dnsmasq refuses a range outside the netmask.',
    `dhcp-range=${range.first},${range.last},${d.lease_time}`,
    ...(peerHalf ? peerHalfLines(peerHalf, d.lease_time) : []),
    ...(d.lease_max > 0
      ? [`# dnsmasq.lease_max: ha-tool refuses a lease merge over it, since dnsmasq would not start with more.`, `dhcp-lease-max=${d.lease_max}`]
      : ['# dnsmasq.lease_max = 0: dnsmasq keeps its own limit (1000) and ha-tool\'s merge checks none.']),
    '',
    `# The lease file ha-tool merges and replicates (dnsmasq.leases in the ha-tool config).`,
    `dhcp-leasefile=${d.leases}`,
    ...(d.leasefile_ro
      ? ['# dnsmasq.leasefile_ro = true: dnsmasq never writes the file; the hook keeps it and answers', '# dnsmasq\'s "init" with it.', 'leasefile-ro']
      : []),
    '# Every lease change is pushed to the peer at once; a scheduled full sync is the safety net.',
    '# dnsmasq runs a program with no arguments of its own: this installed wrapper execs `ha-tool leases hook`,',
    '# or exits at once while `ha-tool daemon` reads the changes from the lease file (docs/leases.md).',
    ...(shippedScriptFits(site) ? [] : [
      `# Not the shipped ${DNSMASQ_HOOK}: it has the default state.dir, ha-tool path and config path written in,`,
      `# not this config's. Install this config's wrapper as ${dnsmasqScriptPath(site)}, mode 0755:`,
      `#   ${command(site, 'config example dnsmasq-script')} > ${dnsmasqScriptPath(site)}`]),
    `dhcp-script=${dnsmasqScriptPath(site)}`,
    ...(d.stop_on_backup
      ? ['dhcp-authoritative']
      : ['# Not dhcp-authoritative: both nodes serve, and an authoritative dnsmasq NAKs every REQUEST a client',
          '# addresses to the other server ("wrong server-ID"; in the lab, 201 NAKs in a 200-client burst).']),
    `# ha-tool tells whether dnsmasq runs from this file (dnsmasq.pid_file).`,
    `pid-file=${d.pid_file}`,
    ...dbusLines(d),
    ...(site.lan.ipv6 ? ipv6Lines(site) : []),
    '',
  ].join('\n')
}

/** The tag dnsmasq sets on a DHCPDISCOVER (option 53, the message type, is 1) in the active/active example. */
export const DISCOVER_TAG = 'hat-discover'

/**
 * Active/active: the peer's half too, but never for a DISCOVER. When the peer dies, its clients renew,
 * rebind or INIT-REBOOT here with the lease replicated from it; dnsmasq NAKs a REQUEST for an address
 * outside every range whose tags match ("address not available", rfc2131.c) even when it holds the
 * lease. Offers (a DISCOVER, tagged) still come only from this node's half, so the two never offer the
 * same address; a REQUEST for a lease this node does not hold is ignored (not authoritative).
 */
function peerHalfLines(peer: DhcpRange, leaseTime: string): string[] {
  return [
    `# The peer's half (${peer.first}-${peer.last}) for every message but a DISCOVER: when the peer dies, its clients`,
    '# renew or rebind here the lease it replicated (dnsmasq refuses a renewal outside its ranges), while new',
    '# addresses still come only from this node\'s half. Option 53 (message type) = 1 is a DISCOVER; "1b" is',
    '# the one-byte value (dnsmasq 2.90 refuses a plain 1 for this option: "dhcp-option too long").',
    `dhcp-match=set:${DISCOVER_TAG},53,1b`,
    `dhcp-range=tag:!${DISCOVER_TAG},${peer.first},${peer.last},${leaseTime}`,
  ]
}

/** RA advertisements and stateless DHCPv6 on the IPv6 VIP's interface (lan.ipv6). */
export const RA_INTERVAL_S = 30
export const RA_ROUTER_LIFETIME_S = 1800
/**
 * The prefixes' preferred and valid lifetime in the RAs (dnsmasq has one figure for both): RFC 9096's
 * ceiling for a CE router's preferred lifetime (ND_PREFERRED_LIMIT, 45 min), so a prefix the ISP took
 * away (and a node that vanished without renumbering) leaves clients within the hour.
 */
export const RA_PREFIX_LIFETIME_S = 2700

function ipv6Lines(site: ExampleSite): string[] {
  const vmac6 = vmac6Name(site)
  const dns = site.lan.vip6 ? withoutPrefix(site.lan.vip6) : ''
  const pd = site.wan.ipv6 && site.wan.dhcpv6
  return [
    '',
    `# IPv6 (lan.ipv6): router advertisements go out ${vmac6}, from the link-local VIP ${site.lan.vip6_link_local} and the`,
    '# virtual MAC, so a failover changes nothing a client sees: same router address, same MAC, and no stale',
    '# router left to time out. keepalived gives that interface its link-local address only on the MASTER,',
    '# and dnsmasq sends no RA on an interface without one: a BACKUP stays silent even if dnsmasq runs there.',
    `interface=${vmac6}`,
    'enable-ra',
    `# Never RA or DHCPv6 on ${site.lan.interface} itself: ${pd ? 'it holds an address from the delegated prefix (networkd), and ' : ''}an RA from`,
    '# there carries this node\'s own link-local address, a second default router that dies with this node.',
    `no-dhcpv6-interface=${site.lan.interface}`,
    `# SLAAC plus stateless DHCPv6 (DNS) on the /64 of every address on ${vmac6} without an expiry: lan.vip6's${pd ? ', and on' : '.'}`,
    ...(pd
      ? ['# the MASTER the LAN /64 of the delegated prefix, which ha-tool puts there with lan.vip6\'s interface',
          '# identifier (nodad noprefixroute) and removes on any other role. When the ISP delegates a new prefix',
          '# ha-tool swaps the address: dnsmasq advertises the new /64 at once and the old one deprecated',
          '# (preferred lifetime 0) until it expires.']
      : []),
    `# Prefix lifetimes ${RA_PREFIX_LIFETIME_S} s (RFC 9096's ceiling for a CE router), renewed by every RA.`,
    `dhcp-range=::,constructor:${vmac6},ra-stateless,64,${RA_PREFIX_LIFETIME_S}`,
    `# High preference; an RA every ${RA_INTERVAL_S} s; clients keep the router for ${RA_ROUTER_LIFETIME_S} s without one. dnsmasq sends no`,
    '# final RA when it stops, so the stopping MASTER never withdraws the route its successor shares.',
    `ra-param=${vmac6},high,${RA_INTERVAL_S},${RA_ROUTER_LIFETIME_S}`,
    ...(dns ? [`dhcp-option=option6:dns-server,[${dns}]`] : ['# PLACEHOLDER: lan.vip6 (the prefix to advertise and the DNS server)']),
  ]
}

/** How merged leases reach a running dnsmasq (dnsmasq.apply): over D-Bus needs --enable-dbus. */
function dbusLines(d: ExampleSite['dnsmasq']): string[] {
  const flag = d.dbus_name === 'uk.org.thekelleys.dnsmasq' ? 'enable-dbus' : `enable-dbus=${d.dbus_name}`
  switch (d.apply) {
    case 'dbus': return ['# dnsmasq.apply = "dbus": merged leases reach the running dnsmasq as AddDhcpLease calls.', flag]
    case 'auto': return ['# dnsmasq.apply = "auto": with D-Bus on, merged leases reach a running dnsmasq without a restart.', flag]
    case 'restart': return ['# dnsmasq.apply = "restart": ha-tool restarts dnsmasq to load merged leases (no D-Bus).']
  }
}
