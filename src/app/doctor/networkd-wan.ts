import {iniValue} from '../../core/parse/ini.js'
import type {DoctorContext, NetworkFile} from './context.js'
import {type DoctorCheck, fail, pass, skip, type Verdict, warn} from './types.js'

function wanFile(ctx: DoctorContext): NetworkFile | Verdict {
  const wan = ctx.config.wan.interface
  if (ctx.networkFiles().length === 0) return skip(`no .network files in ${ctx.config.doctor.networkd_dir}: networkd does not manage this node`)
  return ctx.networkFor(wan) ?? fail(`no .network file in ${ctx.config.doctor.networkd_dir} matches ${wan}`, `write one with \`ha-tool config example networkd\``)
}

const isVerdict = (x: NetworkFile | Verdict): x is Verdict => 'status' in x

/** Two nodes with one MAC still look like two clients unless both identify by MAC; and the WAN routes belong in wan.table. */
export const networkdWanDhcp: DoctorCheck = {
  id: 'networkd-wan-dhcp',
  title: 'the WAN asks for the shared lease as the shared MAC, into wan.table',
  run(ctx) {
    const file = wanFile(ctx)
    if (isVerdict(file)) return file
    const id = iniValue(file.sections, 'DHCPv4', 'ClientIdentifier') ?? iniValue(file.sections, 'DHCP', 'ClientIdentifier')
    const table = iniValue(file.sections, 'DHCPv4', 'RouteTable') ?? iniValue(file.sections, 'DHCP', 'RouteTable')
    const problems: string[] = []
    const fixes: string[] = []
    if (id !== 'mac') {
      problems.push(`ClientIdentifier=${id ?? 'duid (default, made from /etc/machine-id)'}: the two nodes present different client ids for one MAC, so the ISP may hand out a second address or none`)
      fixes.push('ClientIdentifier=mac')
    }
    if (table !== String(ctx.config.wan.table)) {
      problems.push(`RouteTable=${table ?? 'main (default)'}, expected ${ctx.config.wan.table} (wan.table): the WAN default route must stay out of main until MASTER`)
      fixes.push(`RouteTable=${ctx.config.wan.table}`)
    }
    if (problems.length === 0) return pass(`${file.path}: ClientIdentifier=mac, RouteTable=${table}`)
    return fail(`${file.path}: ${problems.join('; ')}`, `set ${fixes.join(' and ')} in [DHCPv4] of ${file.path} on both nodes`)
  },
}

/** With link_via = "netlink", networkd must not bring the WAN back up behind ha-tool's back. */
export const networkdActivationPolicy: DoctorCheck = {
  id: 'networkd-activation-policy',
  title: 'networkd does not fight ha-tool over the WAN link',
  run(ctx) {
    const {link, link_via: via} = ctx.config.wan
    if (link !== 'down-on-backup') return pass(`wan.link = "${link}": ha-tool does not take the WAN down`)
    const file = wanFile(ctx)
    if (isVerdict(file)) return file
    const policy = iniValue(file.sections, 'Link', 'ActivationPolicy')
    if (via === 'netlink') {
      if (policy === 'manual') return pass(`${file.path}: ActivationPolicy=manual`)
      return fail(`${file.path}: ActivationPolicy=${policy ?? 'up (default)'}: networkd brings the WAN back up on a BACKUP whenever it restarts or reconfigures the link`, `set ActivationPolicy=manual in [Link] of ${file.path}`)
    }
    return pass(`wan.link_via = "networkd": ha-tool sets ActivationPolicy through a runtime drop-in (file says ${policy ?? 'nothing'})`)
  },
}

/**
 * The table-240 fallback must serve only the node's own traffic (DESIGN.md section 4): without
 * `IncomingInterface=lo` a BACKUP routes LAN clients' packets back to the VIP and their NAT state dies.
 */
export const networkdLanFallback: DoctorCheck = {
  id: 'networkd-lan-fallback',
  title: `the fallback table's rule covers only this node's own traffic`,
  async run(ctx) {
    const {fallback_table: table, fallback_priority: prio, interface: lan} = ctx.config.lan
    const file = ctx.networkFiles().length > 0 ? ctx.networkFor(lan) : undefined
    if (!file) return liveFallbackRule(ctx, table, prio)
    const rules = file.sections.filter((s) => s.name === 'RoutingPolicyRule' && s.entries.some(([k, v]) => k === 'Table' && v === String(table)))
    if (rules.length === 0) return fail(`${file.path}: no [RoutingPolicyRule] for table ${table}: a BACKUP has no route to the internet`, `add [RoutingPolicyRule] Table=${table} Priority=${prio} IncomingInterface=lo`)
    const bad = rules.filter((s) => !s.entries.some(([k, v]) => k === 'IncomingInterface' && v === 'lo'))
    if (bad.length > 0) return fail(`${file.path}:${bad[0].line}: the table-${table} rule has no IncomingInterface=lo: forwarded LAN traffic falls back to the VIP too, which breaks NATed flows at failover`, `add IncomingInterface=lo to that [RoutingPolicyRule]`)
    return pass(`${file.path}: table ${table} rule limited to IncomingInterface=lo`)
  },
}

/** The LAN is not networkd's: on the live node, read the rule itself (`ip -j rule show`). */
async function liveFallbackRule(ctx: DoctorContext, table: number, prio: number): Promise<Verdict> {
  const lan = ctx.config.lan.interface
  if (!ctx.deps.live) return skip(`no .network file in ${ctx.config.doctor.networkd_dir} matches the LAN ${lan}, and the live rules are read only on the node itself`)
  let rules: Array<{priority?: number; iif?: string; table?: string}>
  try {
    rules = await ctx.deps.probes.ipRules()
  } catch (error) {
    return skip(`cannot read the rules (ip -j rule show): ${(error as Error).message}`)
  }
  const mine = rules.filter((r) => r.table === String(table))
  const fix = `ip rule add priority ${prio} iif lo lookup ${table} (and make it permanent: networkd [RoutingPolicyRule] with IncomingInterface=lo, see \`ha-tool config example networkd\`)`
  if (mine.length === 0) return fail(`no rule looks up table ${table} (LAN ${lan} not managed by networkd): a BACKUP has no route to the internet`, fix)
  const open = mine.filter((r) => r.iif !== 'lo')
  if (open.length > 0) return fail(`the table-${table} rule (priority ${open[0].priority}) applies to forwarded traffic too: clients' packets fall back to the VIP, which breaks NATed flows at failover`, `ip rule del priority ${open[0].priority} lookup ${table}; ${fix}`)
  return pass(`live rule: priority ${mine[0].priority} iif lo lookup ${table} (LAN ${lan} not managed by networkd)`)
}

/**
 * wan.ipv6: one DHCPv6 identity for the pair. The DUID from the shared MAC (networkd's default is
 * made from /etc/machine-id) and the IAID set to wan.dhcpv6_iaid, which peer-config compares with the
 * peer's, so both nodes ask as one client and get one delegated prefix; the RA's default route in wan.table.
 */
export const networkdWanDhcpv6: DoctorCheck = {
  id: 'networkd-wan-dhcpv6',
  title: 'the WAN asks for IPv6 as one DHCPv6 client (shared DUID and IAID), routes into wan.table',
  run(ctx) {
    const {ipv6, dhcpv6, dhcpv6_iaid: iaid, table} = ctx.config.wan
    if (!ipv6) return skip('wan.ipv6 = false')
    if (!dhcpv6) return skip('wan.dhcpv6 = false: an IPv4-only WAN link')
    const file = wanFile(ctx)
    if (isVerdict(file)) return file
    const dhcp = iniValue(file.sections, 'Network', 'DHCP') ?? 'no'
    if (!/^(yes|ipv6|true|1|on)$/i.test(dhcp)) {
      return warn(`${file.path}: DHCP=${dhcp}: networkd runs no DHCPv6 client on the WAN, so no delegated prefix (ha-tool still converges the IPv6 rule)`, `set DHCP=yes in [Network] (see \`ha-tool config example networkd\`), or wan.dhcpv6 = false on both nodes for an IPv4-only WAN`)
    }
    const duid = iniValue(file.sections, 'DHCPv6', 'DUIDType') ?? iniValue(ctx.networkdConf(), 'DHCPv6', 'DUIDType')
    const setIaid = iniValue(file.sections, 'DHCPv6', 'IAID')
    const ra = iniValue(file.sections, 'Network', 'IPv6AcceptRA')
    const raTable = iniValue(file.sections, 'IPv6AcceptRA', 'RouteTable')
    const problems: string[] = []
    const fixes: string[] = []
    if (duid !== 'link-layer') {
      problems.push(`DUIDType=${duid ?? 'vendor (default, made from /etc/machine-id)'}: the two nodes present different DUIDs, so the ISP delegates each its own prefix and a failover renumbers the LAN`)
      fixes.push('DUIDType=link-layer')
    }
    if (setIaid === undefined || Number(setIaid) !== iaid) {
      problems.push(`IAID=${setIaid ?? 'unset (derived per node)'}, expected ${iaid} (wan.dhcpv6_iaid, which both nodes' configs must share)`)
      fixes.push(`IAID=${iaid}`)
    }
    if (ra !== undefined && /^(no|false|0|off)$/i.test(ra)) {
      problems.push('IPv6AcceptRA=no: the IPv6 default route comes from the ISP\'s router advertisement, so the WAN has none')
      fixes.push('IPv6AcceptRA=yes in [Network]')
    } else if (raTable !== String(table)) {
      problems.push(`[IPv6AcceptRA] RouteTable=${raTable ?? 'main (default)'}, expected ${table} (wan.table): the IPv6 default route must stay out of main until MASTER`)
      fixes.push(`RouteTable=${table} in [IPv6AcceptRA]`)
    }
    // Both nodes hold the same EUI-64 addresses: with DAD a node whose WAN comes up while the other is
    // MASTER marks its link-local address dadfailed and has no IPv6 on the WAN (docs/ipv6.md).
    const dad = iniValue(file.sections, 'Network', 'IPv6DuplicateAddressDetection')
    if (dad !== '0') {
      problems.push(`IPv6DuplicateAddressDetection=${dad ?? 'unset (the kernel\'s, 1 probe)'}: both nodes hold the same IPv6 addresses (the shared MAC), so a node whose WAN comes up while the other is MASTER finds its link-local address taken and has no IPv6 on the WAN`)
      fixes.push('IPv6DuplicateAddressDetection=0 in [Network]')
    }
    if (problems.length === 0) return pass(`${file.path}: DUIDType=link-layer, IAID=${setIaid}, RA routes into table ${raTable}, no DAD`)
    return fail(`${file.path}: ${problems.join('; ')}`, `set ${fixes.join(', ')} (in [DHCPv6] unless said) of ${file.path} on both nodes`)
  },
}
