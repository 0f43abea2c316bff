import {parseIpv6} from '../parse/ipv6.js'
import type {Role, Step} from './types.js'

/**
 * The delegated prefix in the LAN's router advertisements (lan.ipv6 with a WAN that asks for a prefix).
 *
 * dnsmasq advertises, from the link-local VIP on the IPv6 VMAC, the /64 of every address on that
 * interface that has no expiry (`dhcp-range=::,constructor:<vmac6>`: it skips addresses with a finite
 * lifetime, such as the one networkd gives the LAN from the delegation). So the MASTER holds, on the
 * VMAC, `<LAN /64 of the delegated prefix>:<interface identifier of lan.vip6>/64` (no expiry, nodad,
 * noprefixroute: the /64's route stays networkd's, on the LAN interface), and no other node holds it.
 * When the delegation changes, the old address goes and the new one comes: dnsmasq then advertises
 * the new /64 at once and the old one with preferred lifetime 0 (deprecated) until it expires.
 */
export type LanPrefixConfig = {
  /** lan.interface: networkd puts its address from the delegated prefix there. */
  lan: string
  /** The IPv6 VMAC keepalived makes (vrrp6.<vrid>): dnsmasq advertises from it. */
  vmac: string
  /** lan.vip6 ("fd00:1::1/64"): its interface identifier is the one ha-tool's address takes. */
  vip6: string
}

export type ObservedLanPrefix = {
  /** keepalived made the IPv6 VMAC on this node (it does at start, on every role). */
  vmacExists: boolean
  /** The LAN's /64s from a delegated prefix, usable now (not deprecated), e.g. ["2001:db8:1:2::/64"]. */
  lanPrefixes: string[]
  /** ha-tool's addresses on the VMAC now ("2001:db8:1:2::1/64"). */
  advertised: string[]
}

/** The settings when the delegated prefix is advertised: lan.ipv6 on, and the WAN asks for IPv6 with a prefix. */
export function lanPrefixConfig(c: {wan: {ipv6: boolean; dhcpv6: boolean}; lan: {ipv6: boolean; interface: string; vip6: string; vrid: number}}): LanPrefixConfig | undefined {
  if (!c.lan.ipv6 || !c.wan.ipv6 || !c.wan.dhcpv6 || c.lan.vip6 === '') return undefined
  return {lan: c.lan.interface, vmac: `vrrp6.${c.lan.vrid}`, vip6: c.lan.vip6}
}

type AddrInfo = {family?: string; local?: string; prefixlen?: number; scope?: string | number; noprefixroute?: boolean; deprecated?: boolean; dynamic?: boolean; valid_life_time?: number; preferred_life_time?: number}
type Link = {ifname?: string; addr_info?: AddrInfo[]}
const FOREVER = 4294967295
/** `ip -j` names the scope, `ip -j -N` numbers it (global = 0). */
const isGlobal = (scope: string | number | undefined) => scope === 'global' || String(scope) === '0'

/**
 * From `ip -6 -j addr show` and `ip -6 -j route show table all type unreachable proto dhcp` (the routes
 * networkd keeps for each delegated prefix): the LAN's /64s from a delegation and ha-tool's addresses on the VMAC.
 */
export function observeLanPrefix(links: readonly Link[], unreachable: ReadonlyArray<{dst?: string}>, c: LanPrefixConfig): ObservedLanPrefix {
  const delegated = unreachable.map((r) => r.dst).filter((d): d is string => d !== undefined && d.includes('/'))
  const v6 = (name: string) => links.filter((l) => l.ifname === name).flatMap((l) => l.addr_info ?? []).filter((a) => a.family === 'inet6' && a.local && isGlobal(a.scope))
  const lanPrefixes = v6(c.lan)
    // networkd's address: a lifetime from the lease, still preferred, inside a delegated prefix.
    .filter((a) => a.prefixlen === 64 && a.valid_life_time !== undefined && a.valid_life_time !== FOREVER && !a.deprecated && a.preferred_life_time !== 0 && delegated.some((d) => inPrefix(a.local!, d)))
    .map((a) => prefix64(a.local!))
  const vip = parseIpv6(c.vip6.split('/')[0])
  const advertised = v6(c.vmac)
    .filter((a) => a.prefixlen === 64 && a.noprefixroute && vip !== undefined && sameIid(a.local!, vip) && !sameAddress(a.local!, vip))
    .map((a) => `${a.local}/64`)
  return {vmacExists: links.some((l) => l.ifname === c.vmac), lanPrefixes: [...new Set(lanPrefixes)].sort(), advertised: advertised.sort()}
}

/** The address the MASTER holds on the VMAC for a LAN /64: the prefix with lan.vip6's interface identifier. */
export function advertisedAddress(lanPrefix: string, vip6: string): string | undefined {
  const p = parseIpv6(lanPrefix.split('/')[0])
  const v = parseIpv6(vip6.split('/')[0])
  if (!p || !v) return undefined
  return `${formatIpv6([...p.slice(0, 4), ...v.slice(4)])}/64`
}

/**
 * MASTER: exactly one address per LAN /64 of the delegation on the VMAC (when keepalived made it);
 * any other role: none (a BACKUP's VMAC must not answer for an address of the MASTER's).
 */
export function planLanPrefix(role: Role, c: LanPrefixConfig, o: ObservedLanPrefix): Step[] {
  const want = role === 'MASTER' && o.vmacExists ? o.lanPrefixes.map((p) => advertisedAddress(p, c.vip6)).filter((a): a is string => a !== undefined) : []
  const have = new Set(o.advertised.map(normalize))
  const wanted = new Set(want.map(normalize))
  const steps: Step[] = []
  for (const a of o.advertised) {
    if (!wanted.has(normalize(a))) steps.push({kind: 'lan6.prefix.del', args: {dev: c.vmac, address: a}, why: role === 'MASTER' ? `stop advertising ${a} on the LAN: no longer delegated (dnsmasq deprecates it)` : `stop advertising ${a} on the LAN while not MASTER`, critical: false})
  }
  for (const a of want) {
    if (!have.has(normalize(a))) steps.push({kind: 'lan6.prefix.add', args: {dev: c.vmac, address: a}, why: `advertise the delegated LAN prefix: ${a} on ${c.vmac}`, critical: false})
  }
  return steps
}

/** RFC 5952 text of eight 16-bit groups (the longest run of two or more zero groups as "::"). */
export function formatIpv6(g: readonly number[]): string {
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && g[j] === 0) j++
    if (j - i > bestLen) { best = i; bestLen = j - i }
    i = j
  }
  const hex = g.map((x) => x.toString(16))
  if (best < 0) return hex.join(':')
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`
}

function prefix64(address: string): string {
  const g = parseIpv6(address)!
  return `${formatIpv6([...g.slice(0, 4), 0, 0, 0, 0])}/64`
}

function normalize(cidr: string): string {
  const [a, len] = cidr.split('/')
  const g = parseIpv6(a)
  return g ? `${formatIpv6(g)}/${len ?? '128'}` : cidr
}

function sameIid(address: string, vip: readonly number[]): boolean {
  const g = parseIpv6(address)
  return g !== undefined && g.slice(4).every((x, i) => x === vip[4 + i])
}

function sameAddress(address: string, vip: readonly number[]): boolean {
  const g = parseIpv6(address)
  return g !== undefined && g.every((x, i) => x === vip[i])
}

/** Whether `address` lies in `prefix` ("2001:db8::/56"). */
export function inPrefix(address: string, prefix: string): boolean {
  const [net, len] = prefix.split('/')
  const a = parseIpv6(address)
  const n = parseIpv6(net)
  if (!a || !n) return false
  for (let bit = 0; bit < Number(len); bit++) {
    const mask = 0x8000 >> (bit % 16)
    if ((a[bit >> 4] & mask) !== (n[bit >> 4] & mask)) return false
  }
  return true
}
