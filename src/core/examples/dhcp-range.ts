/**
 * The DHCP range of the dnsmasq example, derived from this node's LAN address and prefix: the
 * largest run of host addresses in that subnet that neither node nor the VIP holds. dnsmasq
 * refuses at run time a range that does not fit the interface's netmask ("not consistent with
 * netmask"), so a fixed .100-.250 breaks every LAN that is not a /24.
 */
export type DhcpRange = {first: string; last: string; size: number; network: string; prefix: number}

export function dhcpRange(lanAddress: string, taken: string[]): DhcpRange | {error: string} {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(lanAddress)
  const self = m ? toInt(m[1]) : undefined
  if (!m || self === undefined || Number(m[2]) > 32) return {error: `${lanAddress} is not an IPv4 address with a prefix length`}
  const prefix = Number(m[2])
  const mask = prefix === 0 ? 0 : (0xFFFF_FFFF << (32 - prefix)) >>> 0
  const network = (self & mask) >>> 0
  const broadcast = (network | (~mask >>> 0)) >>> 0
  const held = new Set([self, ...taken.map(toInt).filter((a): a is number => a !== undefined)])
  // Walk the holes between held addresses (sorted) inside the host part; keep the biggest.
  const inside = [...held].filter((a) => a > network && a < broadcast).sort((a, b) => a - b)
  let best = {first: 0, last: -1}
  let from = network + 1
  for (const a of [...inside, broadcast]) {
    if (a - 1 - from > best.last - best.first) best = {first: from, last: a - 1}
    from = a + 1
  }
  const size = best.last - best.first + 1
  const net = `${toIp(network)}/${prefix}`
  if (prefix >= 31 || size < 1) return {error: `the ${net} subnet has no address left for a DHCP range once both nodes and the VIP hold theirs: use a shorter prefix`}
  return {first: toIp(best.first), last: toIp(best.last), size, network: net, prefix}
}

/**
 * This node's half of the range when both nodes serve (dnsmasq.stop_on_backup = false): the node with
 * the lower LAN address takes the lower half, so the two dnsmasq never hand out the same address.
 */
export function rangeHalf(range: DhcpRange, self: string, other: string): DhcpRange | {error: string} {
  const first = toInt(range.first)!
  const half = Math.floor(range.size / 2)
  if (half < 1) return {error: `the ${range.network} subnet leaves ${range.size} address for DHCP: too few to give each node its own part (dnsmasq.stop_on_backup = false)`}
  const lower = (toInt(self) ?? 0) < (toInt(other) ?? 0)
  const [a, b] = lower ? [first, first + half - 1] : [first + half, toInt(range.last)!]
  return {...range, first: toIp(a), last: toIp(b), size: b - a + 1}
}

/** Whether ip lies in the subnet of cidr (an address with its prefix). */
export function inSubnet(ip: string, cidr: string): boolean {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr)
  const a = toInt(ip)
  const b = m ? toInt(m[1]) : undefined
  if (!m || a === undefined || b === undefined) return false
  const prefix = Number(m[2])
  const mask = prefix === 0 ? 0 : (0xFFFF_FFFF << (32 - prefix)) >>> 0
  return ((a & mask) >>> 0) === ((b & mask) >>> 0)
}

function toInt(ip: string): number | undefined {
  const parts = ip.split('.').map(Number)
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0
}

function toIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}
