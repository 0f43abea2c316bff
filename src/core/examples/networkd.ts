import {type ExampleSite, header, lanAddresses, syncAddresses, withoutPrefix} from './site.js'

/** The files of the networkd example, by the short name `config example networkd --file` takes. */
export const NETWORKD_FILES = ['wan', 'lan', 'sync', 'conf'] as const
export type NetworkdFileName = (typeof NETWORKD_FILES)[number]
export type NetworkdFile = {name: NetworkdFileName; path: string; text: string}

/**
 * systemd-networkd files for one node: the WAN (DHCP with the shared MAC, routes in wan.table),
 * the LAN (fallback default route via the VIP for the node's own traffic only), the sync link,
 * and a networkd.conf drop-in. Returned as one text with a `# file: PATH` line before each file.
 */
export function networkdExample(site: ExampleSite): string {
  const sync = syncAddresses(site)
  const body = networkdFiles(site).map((f) => `# file: ${f.path}\n${f.text}`).join('\n\n')
  return `${header(site, '#', 'systemd-networkd files (one node)', [`Each file starts at its "# file:" line. The peer is ${withoutPrefix(sync.other)} on the sync link.`])}\n\n${body}\n`
}

/** One file of the example, whole (its own header, no "# file:" line), as networkd reads it. */
export function networkdExampleFile(site: ExampleSite, name: NetworkdFileName): NetworkdFile {
  const f = networkdFiles(site).find((x) => x.name === name)!
  return {...f, text: `${header(site, '#', `${f.path} (systemd-networkd, one node)`)}\n\n${f.text}\n`}
}

/** Every file of the example with its install path; texts without a header or final newline. */
export function networkdFiles(site: ExampleSite): NetworkdFile[] {
  const lan = lanAddresses(site)
  const sync = syncAddresses(site)
  const files: Array<[NetworkdFileName, string, string[]]> = [
    ['wan', `/etc/systemd/network/10-${site.wan.interface}-wan.network`, wanNetwork(site)],
    ['lan', `/etc/systemd/network/20-${site.lan.interface}-lan.network`, [
      ...staticNetwork(site.lan.interface, lan, 'LAN', lanIpv6(site)),
      '',
      `# Fallback default route via the VIP, in table ${site.lan.fallback_table}: a BACKUP reaches the internet`,
      '# through the MASTER like any LAN host.',
      '[Route]',
      `Gateway=${site.lan.vip}`,
      'Destination=0.0.0.0/0',
      `Table=${site.lan.fallback_table}`,
      '',
      '# For this node\'s own traffic only (IncomingInterface=lo). Without it a BACKUP, or a MASTER on its',
      '# way out, routes LAN clients\' frames back to the VIP; the kernel then re-creates their NAT entry',
      '# without NAT and the flow dies for good.',
      '[RoutingPolicyRule]',
      `Table=${site.lan.fallback_table}`,
      `Priority=${site.lan.fallback_priority}`,
      'IncomingInterface=lo',
    ]],
    ['sync', `/etc/systemd/network/30-${site.sync.interface}-sync.network`, staticNetwork(site.sync.interface, sync, 'sync-link', lanIpv6Off, [
      '# The other node may be off or still booting (a direct cable has no carrier then): the address is',
      '# set without carrier and kept when the carrier goes, so conntrackd and sshd (the peer port) can',
      '# bind to it at boot and keep their sockets while the other node restarts.',
      'ConfigureWithoutCarrier=yes',
      'IgnoreCarrierLoss=yes',
    ])],
    ['conf', '/etc/systemd/networkd.conf.d/ha-tool.conf', [
      '# networkd deletes routing-policy rules it did not make (ManageForeignRoutingPolicyRules=yes is the',
      `# default), ha-tool's "to all lookup ${site.wan.table} priority ${site.wan.rule_priority}" included, on every restart.`,
      '[Network]',
      'ManageForeignRoutingPolicyRules=no',
    ]],
  ]
  return files.map(([name, path, lines]) => ({name, path, text: lines.join('\n')}))
}

function wanNetwork(site: ExampleSite): string[] {
  const policy = site.wan.link_via === 'netlink'
    ? [
      '# ha-tool takes this link down and up itself (wan.link_via = "netlink"): manual stops networkd',
      '# from bringing it back up behind ha-tool\'s back (on restart, reconfigure or boot). The link',
      '# then stays down at boot until keepalived makes this node MASTER.',
      'ActivationPolicy=manual',
    ]
    : [
      '# wan.link_via = "networkd": ha-tool sets the policy with a runtime drop-in',
      `# (/run/systemd/network/<this file>.d/ha-tool.conf) and asks networkd to Reload. Do not set`,
      '# ActivationPolicy=manual here: ha-tool writes "up" on MASTER and "down" on BACKUP.',
    ]
  return [
    '[Match]',
    `Name=${site.wan.interface}`,
    '',
    '[Link]',
    '# Both nodes clone one MAC so the ISP sees one client; set the same value on both.',
    '# PLACEHOLDER: uncomment with your MAC (or clone it in a .link file).',
    '#MACAddress=02:00:00:00:00:01',
    'RequiredForOnline=no',
    ...(site.wan.link === 'down-on-backup' ? policy : [
      '# wan.link = "keep-up": the link stays up on both nodes (networkd\'s default policy); ha-tool',
      '# silences it on the BACKUP with an nftables netdev table instead.',
    ]),
    '',
    '[Network]',
    ...(wanIpv6(site) ? [
      '# IPv4 and IPv6 (wan.ipv6, wan.dhcpv6): DHCPv4, router advertisements and DHCPv6 with prefix delegation.',
      'DHCP=yes',
      'LinkLocalAddressing=ipv6',
      'IPv6AcceptRA=yes',
      '# Both nodes hold the same IPv6 addresses on purpose (EUI-64 of the shared MAC, as they share the',
      '# IPv4 lease). With duplicate address detection a node whose WAN comes up while the other is MASTER',
      '# (a reboot in keep-up mode) sees its link-local address answered, marks it "dadfailed" and has no',
      '# IPv6 on the WAN until the link is reset, so it could not route IPv6 as MASTER (seen in the lab).',
      'IPv6DuplicateAddressDetection=0',
    ] : [
      `# IPv4 only (${site.wan.ipv6 ? 'wan.dhcpv6 = false' : 'wan.ipv6 = false'}): no link-local IPv6, no router advertisements, no DHCPv6.`,
      'DHCP=ipv4',
      'LinkLocalAddressing=no',
      'IPv6AcceptRA=no',
    ]),
    '',
    '[DHCPv4]',
    '# The client id defaults to a DUID made from /etc/machine-id: two nodes with one MAC would still',
    '# look like two clients to the ISP. Identify by the (shared) MAC instead.',
    'ClientIdentifier=mac',
    `# The WAN default route goes to table ${site.wan.table}, unused until ha-tool adds`,
    `# "to all lookup ${site.wan.table} priority ${site.wan.rule_priority}" on MASTER.`,
    `RouteTable=${site.wan.table}`,
    'UseMTU=yes',
    '# The ISP\'s host name would rename both nodes alike.',
    'UseHostname=no',
    ...(wanIpv6(site) ? dhcpv6(site) : []),
  ]
}

/** IPv6 on the WAN link: ha-tool converges the IPv6 rule (wan.ipv6) and the link asks for IPv6 (wan.dhcpv6). */
function wanIpv6(site: ExampleSite): boolean {
  return site.wan.ipv6 && site.wan.dhcpv6
}

/** One DHCPv6 client for the pair, like the one DHCPv4 client; the IPv6 default route in wan.table. */
function dhcpv6(site: ExampleSite): string[] {
  return [
    '',
    '[DHCPv6]',
    '# The DUID defaults to one made from /etc/machine-id (two clients again). link-layer makes it from',
    '# the shared MAC (DUID-LL: no time, no machine-id), and the IAID is set, not derived: the same on',
    `# both nodes (wan.dhcpv6_iaid), so the ISP delegates one prefix to whichever node asks.`,
    'DUIDType=link-layer',
    `IAID=${site.wan.dhcpv6_iaid}`,
    '# Ask for a delegated prefix at once, not only after an RA with the M flag.',
    'WithoutRA=solicit',
    'UseDelegatedPrefix=yes',
    '# DHCPv6 carries no routes (networkd has no [DHCPv6] RouteTable=): the default route comes from',
    '# the ISP\'s router advertisement, below.',
    '',
    '[IPv6AcceptRA]',
    `# The IPv6 default route goes to table ${site.wan.table} too; ha-tool adds the IPv6 rule`,
    `# "to all lookup ${site.wan.table} priority ${site.wan.rule_priority}" with the IPv4 one on MASTER.`,
    `RouteTable=${site.wan.table}`,
  ]
}

type NetworkLines = {network: readonly string[]; sections: readonly string[]}
const lanIpv6Off: NetworkLines = {network: ['LinkLocalAddressing=no'], sections: []}

/**
 * The LAN's [Network] lines for IPv6: a link-local address (VRRPv3 over IPv6 sends from it) when
 * lan.ipv6, and a /64 of the WAN's delegated prefix when the WAN asks for one.
 */
function lanIpv6(site: ExampleSite): NetworkLines {
  const delegated = wanIpv6(site)
  if (!delegated && !site.lan.ipv6) return lanIpv6Off
  const network = [
    ...(site.lan.ipv6 ? ['# VRRPv3 over IPv6 (lan.ipv6) sends its adverts from this link\'s link-local address.'] : []),
    'LinkLocalAddressing=ipv6',
    '# A router takes no router advertisements from its LAN.',
    'IPv6AcceptRA=no',
  ]
  if (!delegated) return {network, sections: []}
  return {
    network: [...network, '# A /64 of the prefix the WAN\'s DHCPv6 client was delegated ([DHCPPrefixDelegation] below).', 'DHCPPrefixDelegation=yes'],
    sections: [
      '',
      '[DHCPPrefixDelegation]',
      `UplinkInterface=${site.wan.interface}`,
      '# The same /64 on both nodes (lan.pd_subnet_id, written in hex as networkd reads it): with one',
      '# DHCPv6 identity the ISP delegates one prefix to whichever node is MASTER, so a failover keeps',
      '# the LAN\'s prefix. The address in it is made from this node\'s own LAN MAC (EUI-64): both',
      '# nodes may hold the prefix for a while (a BACKUP until its lease runs out) without a conflict.',
      `SubnetId=0x${site.lan.pd_subnet_id.toString(16)}`,
      '# Router advertisements on the LAN come from dnsmasq on the MASTER only (docs/ipv6.md), not',
      '# from networkd.',
      'Announce=no',
    ],
  }
}

/** A .network for an interface with one static address (marked when it is a placeholder). */
function staticNetwork(name: string, addr: {self: string; other: string; stated: boolean}, what: string, ipv6: NetworkLines = lanIpv6Off, network: string[] = []): string[] {
  return [
    '[Match]',
    `Name=${name}`,
    '',
    '[Network]',
    ...ipv6.network,
    'DHCP=no',
    ...network,
    ...ipv6.sections,
    '',
    '[Address]',
    ...(addr.stated ? [] : [`# PLACEHOLDER: this node's ${what} address; the other node uses ${addr.other}`]),
    `Address=${addr.self}`,
  ]
}
