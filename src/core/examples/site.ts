/**
 * What the example generators need to know about the pair: the ha-tool config's values
 * (structurally a subset of Config, so core stays free of the config layer) plus where
 * ha-tool is installed. `stated` says which per-node values came from the config; the
 * rest are DESIGN.md section 1's values and are marked as placeholders in the output.
 */
export type ExampleSite = {
  wan: {interface: string; table: number; rule_priority: number; ipv6: boolean; dhcpv6: boolean; dhcpv6_iaid: number; link: 'keep-up' | 'down-on-backup'; link_via: 'netlink' | 'networkd'; renew: string; silence: string}
  lan: {interface: string; vip: string; address: string; vrid: number; ipv6: boolean; vip6_link_local: string; vip6: string; pd_subnet_id: number; fallback_table: number; fallback_priority: number}
  sync: {interface: string; address: string}
  keepalived: {instance: string; fifo: string; priority: number; advert_int_ms: number; preempt: boolean; preempt_delay_ms: number; vrrp_priority: number}
  conntrackd: {enabled: boolean; config: string; socket: string; lock_file: string; log_file: string}
  dnsmasq: {leases: string; lease_time: string; leasefile_ro: boolean; lease_max: number; apply: 'auto' | 'dbus' | 'restart'; dbus_name: string; pid_file: string; stop_on_backup: boolean}
  peer: {destination: string; command: readonly string[]; config: string; identity: string}
  state: {dir: string}
  health: {targets: readonly string[]}
  /** Installed ha-tool command (script-security-safe path). */
  binary: string
  /** The config file the examples were built from, or undefined when built from defaults. */
  configPath?: string
  /** The keepalived track_file the daemon (health monitor, maintenance) writes. */
  trackFile: string
  /** Name of the nftables netdev table ha-tool loads on a BACKUP in keep-up mode. */
  silenceTable: string
}

export const DEFAULT_CONFIG_PATH = '/etc/ha-tool/config.toml'

/** Installed by scripts/install: dnsmasq's --dhcp-script takes a program, not a command line. */
export const DNSMASQ_HOOK = '/usr/lib/ha-tool/dnsmasq-script'

/** The peer's host or address from an ssh destination (`root@192.168.190.2` -> `192.168.190.2`). */
export function peerHost(site: ExampleSite): string {
  return site.peer.destination.replace(/^.*@/, '')
}

/** This node's LAN address (with prefix) and the other node's, from config or DESIGN.md's values. */
export function lanAddresses(site: ExampleSite): {self: string; other: string; stated: boolean} {
  return nodePair(site.lan.address, '192.168.1.1/24')
}

export function syncAddresses(site: ExampleSite): {self: string; other: string; stated: boolean} {
  const fallback = `${/^\d+\.\d+\.\d+\.\d+$/.test(peerHost(site)) ? otherOf(peerHost(site)) : '192.168.190.1'}/29`
  return nodePair(site.sync.address, fallback)
}

export function withoutPrefix(cidr: string): string {
  return cidr.replace(/\/\d+$/, '')
}

export function prefixOf(cidr: string, fallback = 24): number {
  const m = /\/(\d+)$/.exec(cidr)
  return m ? Number(m[1]) : fallback
}

/** The VMAC interface keepalived creates for the VIP with use_vmac (default name vrrp.<vrid>). */
export function vmacName(site: ExampleSite): string {
  return `vrrp.${site.lan.vrid}`
}

/** The VMAC interface keepalived creates for the IPv6 instance (vrrp6.<vrid>): it holds the IPv6 VIPs on the MASTER only. */
export function vmac6Name(site: ExampleSite): string {
  return `vrrp6.${site.lan.vrid}`
}

/** The IPv6 instance and the sync group that ties it to the IPv4 one (lan.ipv6). */
export function instance6Name(site: ExampleSite): string {
  return `${instanceName(site)}_6`
}

export function syncGroupName(site: ExampleSite): string {
  return `${instanceName(site)}_group`
}

export function instanceName(site: ExampleSite): string {
  return site.keepalived.instance || 'VI_gateway'
}

/** The notify FIFO keepalived writes and the daemon reads. */
export function fifoPath(site: ExampleSite): string {
  return site.keepalived.fifo || `${site.state.dir}/notify.fifo`
}

/** `/usr/sbin/ha-tool` plus `--config FILE` when the config is not at the default path (configPath is absolute: the app resolves it). */
export function command(site: ExampleSite, verb: string): string {
  const cfg = site.configPath && site.configPath !== DEFAULT_CONFIG_PATH ? ` --config ${site.configPath}` : ''
  return `${site.binary} ${verb}${cfg}`
}

/** The header every example starts with: where it came from and what is a placeholder. */
export function header(site: ExampleSite, comment: string, what: string, extra: string[] = []): string {
  const from = site.configPath ? `built from ${site.configPath}` : 'built from the defaults (no ha-tool config found): check every value marked PLACEHOLDER'
  return [`${what}, by \`ha-tool config example\`; ${from}.`, ...extra].map((l) => `${comment} ${l}`.trimEnd()).join('\n')
}

function nodePair(given: string, fallback: string): {self: string; other: string; stated: boolean} {
  const self = given || fallback
  return {self, other: `${otherOf(withoutPrefix(self))}/${prefixOf(self)}`, stated: given !== ''}
}

/** DESIGN.md numbers the nodes .1 and .2 on each link (odd and even): the other node's address. */
export function otherOf(ip: string): string {
  const parts = ip.split('.')
  const last = Number(parts[3])
  parts[3] = String(last % 2 === 1 ? last + 1 : last - 1)
  return parts.join('.')
}
