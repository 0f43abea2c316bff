import {DNSMASQ_HOOK, type ExampleSite, header, lanAddresses, vmacName, withoutPrefix} from './site.js'

/**
 * dnsmasq for the LAN: clients get the VIP as router and DNS server, so a failover never
 * changes what they were told. Lease replication is ha-tool's (`leases hook`, `leases sync`).
 */
export function dnsmasqExample(site: ExampleSite): string {
  const lan = lanAddresses(site)
  const net = withoutPrefix(lan.self).split('.').slice(0, 3).join('.')
  return [
    header(site, '#', 'dnsmasq.conf (LAN DHCP and DNS)', [
      'The same file on both nodes: ha-tool starts dnsmasq on MASTER and stops it on BACKUP, and',
      'replicates the leases, so the range and options must match.',
    ]),
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
    `dhcp-range=${net}.100,${net}.250,12h`,
    '',
    `# The lease file ha-tool merges and replicates (dnsmasq.leases in the ha-tool config).`,
    `dhcp-leasefile=${site.dnsmasq.leases}`,
    '# Every lease change is pushed to the peer at once; a scheduled full sync is the safety net.',
    '# dnsmasq runs a program with no arguments of its own: this installed wrapper execs `ha-tool leases hook`.',
    `dhcp-script=${DNSMASQ_HOOK}`,
    'dhcp-authoritative',
    '',
  ].join('\n')
}
