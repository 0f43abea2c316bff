import {type ExampleSite, header, lanAddresses, syncAddresses, withoutPrefix} from './site.js'

/**
 * conntrackd.conf for one node: FTFW (reliable, and the mode whose -c/-n/-B ha-tool's
 * primary-backup sequence relies on) over UDP on the sync link, external cache kept, so the
 * commit at promotion is what puts the peer's flows into the kernel.
 */
export function conntrackdExample(site: ExampleSite): string {
  const sync = syncAddresses(site)
  const lan = lanAddresses(site)
  const placeholder = sync.stated ? '' : '  # PLACEHOLDER: this node\'s sync-link address'
  return [
    header(site, '#', `conntrackd.conf (${site.conntrackd.config})`, [
      `ha-tool drives it on transitions when conntrackd.enabled = true (now ${site.conntrackd.enabled}).`,
    ]),
    '',
    'Sync {',
    '  # FTFW: acknowledged, resent on loss. -n (request a resync) and -B (bulk send) work in it;',
    '  # in ALARM mode they do nothing.',
    '  Mode FTFW {',
    '    # Off = keep the peer\'s flows in the external cache until `conntrackd -c` commits them at',
    '    # promotion (ha-tool does, before the WAN opens). "On" injects them into the backup\'s kernel',
    '    # table at once and makes -c a no-op.',
    '    DisableExternalCache Off',
    '    # Ask the peer for its whole table when this daemon starts (a node coming back holds nothing).',
    '    StartupResync on',
    '  }',
    '  UDP {',
    `    IPv4_address ${withoutPrefix(sync.self)}${placeholder}`,
    `    IPv4_Destination_Address ${withoutPrefix(sync.other)}`,
    '    Port 3780',
    `    Interface ${site.sync.interface}`,
    '    Checksum on',
    '  }',
    '  Options {',
    '    TCPWindowTracking on',
    '    ExpectationSync on',
    '  }',
    '}',
    '',
    'General {',
    '  HashSize 32768',
    '  HashLimit 131072',
    `  LogFile ${site.conntrackd.log_file || 'on'}`,
    `  LockFile ${site.conntrackd.lock_file}`,
    '  # ha-tool talks to the daemon through this socket (conntrackd -C <this file> -c|-f|-R|-B|-n|-t).',
    '  UNIX {',
    `    Path ${site.conntrackd.socket}`,
    '  }',
    '  NetlinkBufferSize 2097152',
    '  NetlinkBufferSizeMaxGrowth 8388608',
    '  NetlinkEventsReliable on',
    ...(site.lan.ipv6
      ? [
        '  # Userspace, not Kernelspace: conntrackd 1.4.7\'s in-kernel filter let flows of an ignored IPv6 address',
        '  # through (fd00:1::1 was replicated; the IPv4 VIP was not). Filtering here costs a little CPU per event.',
        '  Filter From Userspace {',
      ]
      : ['  Filter From Kernelspace {']),
    '    Protocol Accept {',
    '      TCP',
    '      UDP',
    '      ICMP',
    '      IPv6-ICMP',
    '    }',
    '    # Flows to and from the gateways themselves are not replicated: only forwarded ones (IPv4 NATed,',
    '    # IPv6 routed; conntrackd replicates both families over this IPv4 channel).',
    '    Address Ignore {',
    '      IPv4_address 127.0.0.1',
    `      IPv4_address ${withoutPrefix(sync.self)}`,
    `      IPv4_address ${withoutPrefix(sync.other)}`,
    `      IPv4_address ${withoutPrefix(lan.self)}`,
    `      IPv4_address ${withoutPrefix(lan.other)}`,
    `      IPv4_address ${site.lan.vip}`,
    '      IPv6_address ::1',
    ...(site.lan.ipv6
      ? [
        `      IPv6_address ${site.lan.vip6_link_local}`,
        ...(site.lan.vip6 ? [`      IPv6_address ${withoutPrefix(site.lan.vip6)}`] : []),
      ]
      : []),
    '    }',
    '  }',
    '}',
    '',
  ].join('\n')
}
