import {parseIpv6} from '../parse/ipv6.js'
import {usageError} from '../errors.js'
import {avalanche} from './parse.js'

/**
 * Which subnet (IPv4) or prefix (IPv6) a lease's address lies in. A client may hold one lease per
 * subnet: dnsmasq keeps a lease per dhcp-range for one IPv4 client, and one DHCPv6 IA holds an
 * address per LAN prefix (dnsmasq 2.90 hands out fd00:1::131 and fd00:2::131 in one IA). So the
 * merge's "one address per client" is per client and subnet.
 *
 * The rule: the longest configured prefix that contains the address (dnsmasq.subnets, and the LAN
 * prefix from lan.address); an address no configured prefix contains is in its /24 (IPv4) or its
 * /64 (IPv6). The defaults err on keeping leases: a client on two /24s of one larger LAN that is
 * not configured keeps both leases (an address held until expiry), never loses one that dnsmasq
 * gave out (which would let dnsmasq hand the address to a second client).
 */
export type SubnetRule = {
  v4: ReadonlyArray<{net: number; len: number}>
  v6: ReadonlyArray<{words: readonly [number, number, number, number]; len: number}>
}

export const DEFAULT_V4_PREFIX = 24
export const DEFAULT_V6_PREFIX = 64

/** No configured prefix: every address in its /24 or /64. */
export const DEFAULT_SUBNETS: SubnetRule = {v4: [], v6: []}

/** Parses "192.168.1.0/24", "192.168.1.1/24" (host bits ignored) and "fd00:1::/64"; throws a usage error naming the bad entry. */
export function parseSubnets(cidrs: readonly string[], what = 'subnet'): SubnetRule {
  const v4: Array<{net: number; len: number}> = []
  const v6: Array<{words: [number, number, number, number]; len: number}> = []
  for (const cidr of cidrs) {
    const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim())
    const len = m ? Number(m[2]) : -1
    const a4 = m ? ipv4Number(m[1]) : undefined
    if (a4 !== undefined && len <= 32) {
      v4.push({net: mask4(a4, len), len})
      continue
    }
    const a6 = m ? parseIpv6(m[1]) : undefined
    if (a6 !== undefined && len <= 128) {
      const w: [number, number, number, number] = [0, 0, 0, 0]
      for (let k = 0; k < 4; k++) w[k] = mask32(a6[2 * k] * 65536 + a6[2 * k + 1], len - 32 * k)
      v6.push({words: w, len})
      continue
    }
    throw usageError(`${what} ${JSON.stringify(cidr)}: expected an IPv4 or IPv6 prefix like "192.168.1.0/24" or "fd00:1::/64"`)
  }
  // Longest prefix first: the first match is the one that counts.
  v4.sort((a, b) => b.len - a.len)
  v6.sort((a, b) => b.len - a.len)
  return {v4, v6}
}

/**
 * The subnet of IPv4 address ip (uint32) as two 32-bit hashes in out[0..1]: the merge folds them
 * (xor) into the client's two hashes (parse.ts: clientHash), so one client in two subnets is two clients.
 */
export function subnet4(rule: SubnetRule, ip: number, out: Int32Array): void {
  let net = mask4(ip, DEFAULT_V4_PREFIX)
  let len = DEFAULT_V4_PREFIX
  for (const s of rule.v4) {
    if (mask4(ip, s.len) === s.net) {
      net = s.net
      len = s.len
      break
    }
  }
  mix(out, 4, len, net, 0, 0, 0)
}

/** The same for an IPv6 address given as four big-endian words at w[at..at+4) (merge.ts: ipv6Words). */
export function subnet6(rule: SubnetRule, w: Uint32Array, at: number, out: Int32Array): void {
  let len = DEFAULT_V6_PREFIX
  for (const s of rule.v6) {
    let inside = true
    for (let k = 0; k < 4 && inside; k++) inside = mask32(w[at + k], s.len - 32 * k) === s.words[k]
    if (inside) {
      len = s.len
      break
    }
  }
  mix(out, 6, len, mask32(w[at], len), mask32(w[at + 1], len - 32), mask32(w[at + 2], len - 64), mask32(w[at + 3], len - 96))
}

/** Two independent hashes of (family, length, network words); unrolled: it runs once per lease. */
function mix(out: Int32Array, family: number, len: number, a: number, b: number, c: number, d: number): void {
  let h1 = Math.imul(0x9e3779b1 ^ family, 0x85ebca6b) ^ len
  let h2 = Math.imul(0x7feb352d ^ family, 0xc2b2ae35) ^ len
  h1 = Math.imul(h1 ^ a, 0x01000193)
  h2 = Math.imul((h2 ^ a) + (h2 >>> 13), 0x27d4eb2d)
  h1 = Math.imul(h1 ^ (h1 >>> 15) ^ b, 0x01000193)
  h2 = Math.imul((h2 ^ b) + (h2 >>> 13), 0x27d4eb2d)
  h1 = Math.imul(h1 ^ (h1 >>> 15) ^ c, 0x01000193)
  h2 = Math.imul((h2 ^ c) + (h2 >>> 13), 0x27d4eb2d)
  h1 = Math.imul(h1 ^ (h1 >>> 15) ^ d, 0x01000193)
  h2 = Math.imul((h2 ^ d) + (h2 >>> 13), 0x27d4eb2d)
  out[0] = avalanche(h1)
  out[1] = avalanche(h2)
}

/** The top len bits of a 32-bit word (len may be <= 0 or >= 32), as an unsigned number. */
function mask32(x: number, len: number): number {
  if (len <= 0) return 0
  if (len >= 32) return x >>> 0
  return (x & (~0 << (32 - len))) >>> 0
}

const mask4 = (ip: number, len: number): number => mask32(ip, len)

function ipv4Number(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s)
  if (!m) return undefined
  const o = m.slice(1).map(Number)
  if (o.some((x) => x > 255)) return undefined
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0
}

/**
 * subnet4 for addresses in lo..hi, computed once per /24 block and remembered (a merge asks for
 * every lease, and a DHCP range has few /24s). Falls back to subnet4 each time when a configured
 * prefix is longer than /24 (the answer then varies inside a block) or the span is huge.
 */
export function subnet4Memo(rule: SubnetRule, lo: number, hi: number): (ip: number, out: Int32Array) => void {
  const base = lo >>> 8
  const blocks = hi >= lo ? (hi >>> 8) - base + 1 : 0
  if (blocks === 0 || blocks > 65_536 || rule.v4.some((s) => s.len > DEFAULT_V4_PREFIX)) return (ip, out) => subnet4(rule, ip, out)
  const memo = new Int32Array(blocks * 2)
  const known = new Uint8Array(blocks)
  return (ip, out) => {
    const b = (ip >>> 8) - base
    if (b < 0 || b >= blocks) return subnet4(rule, ip, out)
    if (known[b] === 0) {
      subnet4(rule, ip, out)
      memo[2 * b] = out[0]
      memo[2 * b + 1] = out[1]
      known[b] = 1
      return
    }
    out[0] = memo[2 * b]
    out[1] = memo[2 * b + 1]
  }
}
