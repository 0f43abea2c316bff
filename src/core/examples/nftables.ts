import {type ExampleSite, header, vmac6Name, vmacName} from './site.js'

/**
 * nftables for one node: masquerade out of the WAN, the LAN->LAN forward drop, WAN input limited
 * to answers, and (as a comment) the BACKUP's WAN silence table that ha-tool itself loads and opens.
 */
export function nftablesExample(site: ExampleSite): string {
  const wan = JSON.stringify(site.wan.interface)
  const lans = [site.lan.interface, vmacName(site), ...(site.lan.ipv6 ? [vmac6Name(site)] : [])]
  const lanSet = `{ ${lans.map((l) => JSON.stringify(l)).join(', ')} }`
  const silence = site.wan.link === 'keep-up' && site.wan.silence === 'nftables'
  return [
    '#!/usr/sbin/nft -f',
    header(site, '#', '/etc/nftables.conf', ['Load with `nft -f /etc/nftables.conf` (nftables.service does at boot).']),
    '',
    '# Only ha-tool\'s own tables are replaced; everything else in the ruleset is left alone.',
    '# The filter table is inet: its rules cover IPv4 and IPv6 alike. NAT is IPv4 only.',
    'table inet ha_tool_filter',
    'delete table inet ha_tool_filter',
    'table ip ha_tool_nat',
    'delete table ip ha_tool_nat',
    'table arp ha_tool_arp',
    'delete table arp ha_tool_arp',
    '',
    'table inet ha_tool_filter {',
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    '    # The WAN takes only answers to what this node started (DHCP, its own connections). Right after a',
    '    # failover, packets of client flows the new MASTER does not know yet arrive here; delivered locally',
    '    # they draw a TCP reset that kills the client\'s connection (the lab: 12 of 12 flows survived with',
    '    # this rule). Put accepts above the drop for services you expose on the WAN.',
    `    iifname ${wan} ct state established,related accept`,
    ...(site.wan.ipv6
      ? [
        '    # IPv6 (wan.ipv6) needs more than answers: neighbour discovery, the ISP\'s router advertisements,',
        '    # path MTU and error messages (RFC 4890), and the DHCPv6 server\'s replies, which come from its',
        '    # link-local address to a request sent to a multicast group (conntrack cannot pair them).',
        `    iifname ${wan} icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert, packet-too-big, destination-unreachable, time-exceeded, parameter-problem } accept`,
        `    iifname ${wan} ip6 saddr fe80::/10 udp sport 547 udp dport 546 accept`,
      ]
      : []),
    `    iifname ${wan} drop`,
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    '    # LAN->LAN traffic is never routed by a gateway. After a failover a BACKUP (or a MASTER on its way',
    '    # out) would route clients\' frames back to the VIP; the kernel then drops the flow\'s NAT entry and',
    '    # re-creates it without NAT, and the client keeps that broken entry alive. Dropping here, in the',
    '    # forward hook (before NAT and conntrack confirmation), made every lab failover clean (42/42).',
    `    iifname ${lanSet} oifname ${lanSet} drop`,
    ...(site.lan.ipv6
      ? [
        '    # IPv6 is not NATed: LAN hosts have public addresses. From the WAN, only answers and the ICMPv6',
        '    # that IPv6 needs (RFC 4890) are forwarded in; conntrackd commits the flows before a new MASTER',
        '    # opens its WAN, so established flows pass after a failover.',
        `    iifname ${wan} meta nfproto ipv6 ct state established,related accept`,
        `    iifname ${wan} icmpv6 type { packet-too-big, destination-unreachable, time-exceeded, parameter-problem, echo-request } accept`,
        `    iifname ${wan} meta nfproto ipv6 drop`,
      ]
      : []),
    '  }',
    ...(site.lan.ipv6
      ? [
        '  chain output {',
        '    type filter hook output priority filter; policy accept;',
        '    # A new MASTER gets LAN clients\' IPv6 packets as soon as keepalived adds the VIPs, before its IPv6',
        '    # WAN rule: each draws a "no route" error, and resolving the client for it starts in the few ms in',
        `    # which the kernel sends from the new VIP but does not yet take packets for it: the client's answer is`,
        '    # lost and the next try comes 1 s later, with the flow\'s packets queued behind it (the lab: a 1.1 s',
        '    # IPv6 outage in 7 of 17 failovers under load, docs/failover.md). The price: a MASTER with no',
        '    # IPv6 route out sends LAN clients no "no route" error, so they wait for a timeout instead.',
        `    oifname ${JSON.stringify(vmac6Name(site))} icmpv6 type destination-unreachable icmpv6 code no-route drop`,
        '  }',
      ]
      : []),
    '}',
    '',
    'table arp ha_tool_arp {',
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    '    # A new MASTER announces the VIP with gratuitous ARP requests (sender = target = the VIP). A node that',
    '    # still holds the VIP (keepalived killed, before ha-tool\'s guard released it) answers each one from the',
    '    # VMAC (keepalived sets accept_local there), and that answer, sent from the shared virtual MAC, teaches',
    '    # the LAN switch the dead node\'s port again: the LAN lost the VIP until the next gratuitous ARP, ~1 s',
    '    # later (the lab: 1 kill -9 in 5 under load, docs/failover.md). Nothing else sends such a request.',
    `    arp operation request arp saddr ip ${site.lan.vip} arp daddr ip ${site.lan.vip} drop`,
    '  }',
    '}',
    '',
    'table ip ha_tool_nat {',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    '    # Both nodes hold the same WAN address, so NAT state replicated by conntrackd fits either node.',
    `    oifname ${wan} masquerade`,
    '  }',
    '}',
    '',
    ...(silence
      ? [
        `# On BACKUP (keep-up mode) ha-tool loads the table below itself and opens its gate first thing on MASTER:`,
        '# both nodes hold the WAN address and the shared MAC, and every frame a BACKUP sends teaches the',
        '# upstream switch to deliver the MASTER\'s traffic to it. Do not put it in this file (it would',
        '# silence the MASTER at boot); it is shown so you can recognise it in `nft list ruleset`:',
        '#',
        `# table netdev ${site.silenceTable} {`,
        `#   chain ingress { type filter hook ingress device ${wan} priority -500; policy accept; jump gate; drop; }`,
        `#   chain egress { type filter hook egress device ${wan} priority -500; policy accept; jump gate; drop; }`,
        '#   chain gate { }          # empty: silenced (BACKUP); `accept` in it: open (MASTER)',
        '# }',
      ]
      : [`# wan.link = "${site.wan.link}", wan.silence = "${site.wan.silence}": ha-tool loads no WAN silence table.`]),
    '',
  ].join('\n')
}
