import {command, type ExampleSite, fifoPath, header, instance6Name, instanceName, lanAddresses, prefixOf, syncGroupName, vmac6Name} from './site.js'

export type KeepalivedMode = 'fifo' | 'script'

/**
 * keepalived.conf for one node of the pair. Both modes share everything but how ha-tool hears
 * of a role change: `fifo` (recommended) has keepalived write ordered events to a FIFO that
 * `ha-tool daemon` reads as its own systemd service; `script` spawns `ha-tool notify` per event.
 */
export function keepalivedExample(site: ExampleSite, mode: KeepalivedMode = 'fifo'): string {
  const name = instanceName(site)
  const lan = lanAddresses(site)
  const fifo = fifoPath(site)
  const out: string[] = [
    header(site, '#', `keepalived.conf (${mode} mode)`, [
      site.keepalived.preempt
        ? 'Both nodes use the same file (keepalived.priority differs): the higher priority takes MASTER back when it returns.'
        : 'Both nodes use the same file (keepalived.priority may differ): with nopreempt whoever is MASTER stays MASTER.',
      'ha-tool, not keepalived, adds and removes the WAN rule, so there is no virtual_rules block here:',
      `ha-tool puts "to all lookup ${site.wan.table} priority ${site.wan.rule_priority}" in only once the WAN is ready.`,
    ]),
    '',
    'global_defs {',
    '  # Scripts run as root, and keepalived refuses (silently disables) any script whose path a',
    `  # non-root user could change. ${site.binary} is root-owned all the way up: \`ha-tool doctor\` checks it.`,
    '  enable_script_security',
    '  script_user root',
    '  # Exposes each instance\'s state on D-Bus (org.keepalived.Vrrp1): the daemon converges to it',
    '  # at start-up and `ha-tool status` shows it.',
    '  enable_dbus',
    '  # VRRPv3 allows sub-second advert_int.',
    '  vrrp_version 3',
    ...processPriority(site),
    '  # A node whose keepalived died (kill -9, crash) still holds the VIP on its VMAC and answers the new',
    '  # MASTER\'s gratuitous ARPs from the virtual MAC, which moves the VMAC back to the dead node\'s switch',
    '  # port; the clients are cut off until the next gratuitous ARPs (garp_master_delay, 5 s by default).',
    '  # Re-announcing every second bounds that to about a second (docs/failover.md, measured in the lab).',
    '  vrrp_garp_master_delay 1',
    '  vrrp_garp_master_refresh 1',
  ]
  if (mode === 'fifo') {
    out.push(
      '  # Every state change, in order, goes to this FIFO. `ha-tool daemon` reads it as its own',
      '  # systemd service (ha-tool-daemon.service), not as vrrp_notify_fifo_script: as keepalived\'s child',
      '  # it would be SIGTERMed on every reload and killed with keepalived, and could not clean up after a',
      `  # keepalived killed with SIGKILL. The daemon reads keepalived.fifo (now ${fifo}).`,
      `  vrrp_notify_fifo ${fifo}`,
    )
  }
  out.push(
    '}',
    '',
    '# Health and maintenance: the ha-tool daemon writes this file (0 = eligible, non-zero = demote).',
    `# Its directory (state.dir, ${site.state.dir}) must exist before keepalived starts, or keepalived drops`,
    '# the track_file for good: ha-tool\'s tmpfiles.d entry creates it at boot.',
    '# (track_file: keepalived 2.2.7 calls the older vrrp_track_file deprecated; doctor accepts both.)',
    'track_file ha_tool {',
    `  file ${site.trackFile}`,
    '  weight 0',
    '  init_file 0',
    '}',
  )
  const check = mode === 'script' && site.health.targets.length > 0
  if (mode === 'script' && !check) {
    out.push(
      '',
      '# No health check: health.targets is empty, and `ha-tool check` without targets is a usage error',
      '# (exit 2) that would hold this node in FAULT. Set health.targets to have keepalived run it.',
    )
  }
  if (check) {
    out.push(
      '',
      '# Script mode has no resident daemon writing the track_file\'s health value, so keepalived runs the',
      '# check itself (the track_file still carries `ha-tool maintenance on|off`).',
      'vrrp_script ha_tool_check {',
      `  script "${command(site, 'check')}"`,
      '  interval 1',
      '  timeout 2',
      '  fall 2',
      '  rise 2',
      '}',
    )
  }
  out.push(
    '',
    `vrrp_instance ${name} {`,
    '  state BACKUP',
    ...preemption(site),
    `  interface ${site.lan.interface}`,
    `  virtual_router_id ${site.lan.vrid}`,
    `  priority ${site.keepalived.priority}`,
    `  advert_int ${advertInt(site)}`,
    `  # The VIP lives on a macvlan (vrrp.${site.lan.vrid}) with the virtual MAC, so LAN clients keep their`,
    '  # ARP entry across a failover.',
    '  use_vmac',
    '  vmac_xmit_base',
  )
  if (site.wan.link === 'keep-up') {
    out.push(
      '  # keep-up mode: the WAN stays up on BACKUP, so losing its carrier is a reason to fail over.',
      '  track_interface {',
      `    ${site.wan.interface}`,
      '  }',
    )
  } else {
    out.push(
      `  # No track_interface for the WAN (${site.wan.interface}): in down-on-backup mode it is down on the`,
      '  # BACKUP, which would then sit in FAULT and could never take over.',
    )
  }
  out.push(
    '  track_file {',
    '    ha_tool weight 0',
    '  }',
  )
  if (check) out.push('  track_script {', '    ha_tool_check', '  }')
  if (mode === 'script') {
    out.push(
      '  # keepalived appends TYPE NAME STATE PRIORITY. Notify scripts run concurrently and may finish',
      '  # out of order: ha-tool serialises them and never lets an older event overwrite a newer one.',
      `  notify "${command(site, 'notify')}"`,
    )
  }
  out.push(
    '  virtual_ipaddress {',
    `    ${site.lan.vip}/${prefixOf(lan.self)}`,
    '  }',
    '}',
    '',
  )
  if (site.lan.ipv6) out.push(...ipv6Instance(site))
  return out.join('\n')
}

/**
 * lan.ipv6: a VRRPv3 IPv6 instance tied to the IPv4 one by a sync group, so both move together
 * (a FAULT of either, from its track_file, takes both). Its first address is the link-local VIP
 * that dnsmasq sends router advertisements from; keepalived creates vrrp6.<vrid> with
 * addrgenmode none, so that interface has a link-local address only on the MASTER.
 */
function ipv6Instance(site: ExampleSite): string[] {
  const name = instanceName(site)
  return [
    `# IPv6 on the LAN (lan.ipv6): this node follows "${name}" (keepalived.instance); the sync group moves`,
    `# ${instance6Name(site)} with it, so the IPv6 VIPs are always on the same node as the IPv4 one.`,
    `vrrp_sync_group ${syncGroupName(site)} {`,
    '  group {',
    `    ${name}`,
    `    ${instance6Name(site)}`,
    '  }',
    '}',
    '',
    `vrrp_instance ${instance6Name(site)} {`,
    '  state BACKUP',
    ...preemption(site, false),
    `  interface ${site.lan.interface}`,
    '  # VRRP keeps IPv4 and IPv6 router ids apart: the same vrid, another virtual MAC (00:00:5e:00:02:xx).',
    `  virtual_router_id ${site.lan.vrid}`,
    `  priority ${site.keepalived.priority}`,
    `  advert_int ${advertInt(site)}`,
    `  # The VIPs live on ${vmac6Name(site)}, which has no link-local address of its own: only the MASTER`,
    '  # holds one (the first VIP), so only the MASTER can send router advertisements there. Clients route',
    '  # via that same address and virtual MAC whichever node is MASTER.',
    '  use_vmac',
    '  vmac_xmit_base',
    '  virtual_ipaddress {',
    `    ${site.lan.vip6_link_local}/64`,
    ...(site.lan.vip6 ? [`    ${site.lan.vip6}`] : ['    # PLACEHOLDER: lan.vip6, e.g. fd00:1::1/64 (the prefix router advertisements carry)']),
    '  }',
    '}',
    '',
  ]
}

/**
 * keepalived.preempt: nopreempt (the default), or preemption delayed by keepalived.preempt_delay_ms so
 * that the daemon, started with keepalived, holds a returning node out through the track_file (the
 * failback gate) before keepalived would preempt; `explain` = the comment, written once.
 */
function preemption(site: ExampleSite, explain = true): string[] {
  if (!site.keepalived.preempt) return ['  nopreempt']
  return [
    ...(explain
      ? [
          '  # Preemption (keepalived.preempt): the node with the higher priority takes MASTER back when it',
          '  # returns, but only once ha-tool\'s failback gate lets it: the daemon writes 3 to the track_file',
          '  # (FAULT) until this node\'s conntrackd holds the MASTER\'s flows (docs/failback.md). preempt_delay',
          '  # gives the daemon time to close the gate when both start at boot (keepalived.preempt_delay_ms).',
        ]
      : []),
    `  preempt_delay ${site.keepalived.preempt_delay_ms / 1000}`,
  ]
}

/** keepalived.advert_int_ms in seconds, as keepalived reads it (0.1, 1, 2.5). */
function advertInt(site: ExampleSite): string {
  return String(site.keepalived.advert_int_ms / 1000)
}

/** How the VRRP process is scheduled: real-time by default, or a nice value (keepalived.vrrp_priority). */
function processPriority(site: ExampleSite): string[] {
  if (site.keepalived.vrrp_priority === 0) {
    return [
      '  # Real-time scheduling for the VRRP process from the start: at advert_int 0.1 a VRRP process',
      '  # starved for ~0.3 s lets the peer take over unasked, and max_auto_priority alone (which keepalived',
      '  # recommends) only switches after a timer ran 1 s late. RLIMIT_RTTIME: keepalived\'s default',
      '  # (10 ms) SIGKILLed the VRRP child in 9 of 16 MASTER transitions (VIPs, VMAC, nftables) on a loaded',
      '  # 2-core host, and the respawned child came back as BACKUP; at 100 ms, none (docs/failover.md).',
      '  vrrp_rt_priority 1',
      '  max_auto_priority',
      '  vrrp_rlimit_rttime 100000',
    ]
  }
  return [
    '  # A raised nice value instead of real-time scheduling (keepalived.vrrp_priority): a stall of the',
    '  # whole host\'s ordinary processes still reaches keepalived (docs/failover.md).',
    `  vrrp_priority ${site.keepalived.vrrp_priority}`,
  ]
}
