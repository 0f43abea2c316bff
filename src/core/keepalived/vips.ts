/**
 * The virtual addresses a keepalived.conf hands out (`virtual_ipaddress` and
 * `virtual_ipaddress_excluded` blocks), without prefix lengths. keepalived's comments start
 * with `#` or `!`; an entry is `ADDRESS[/PREFIX] [dev IF] [...]`, one per line.
 */
export function parseKeepalivedVips(conf: string): string[] {
  const out = new Set<string>()
  let depth = 0
  let inVips = -1
  for (const raw of conf.split('\n')) {
    const line = raw.replace(/[#!].*$/, '').trim()
    if (line === '') continue
    const opens = (line.match(/\{/g) ?? []).length
    const closes = (line.match(/\}/g) ?? []).length
    if (inVips < 0 && /^virtual_ipaddress(_excluded)?\s*\{/.test(line)) {
      inVips = depth
      depth += opens - closes
      continue
    }
    if (inVips >= 0 && depth === inVips + 1 && opens === 0 && closes === 0) {
      const addr = line.split(/\s+/)[0].split('/')[0]
      if (/^[0-9a-fA-F.:]+$/.test(addr)) out.add(addr)
    }
    depth += opens - closes
    if (inVips >= 0 && depth <= inVips) inVips = -1
  }
  return [...out]
}

type AddrEntry = {ifname?: string; linkinfo?: {info_kind?: string}; addr_info?: Array<{local?: string; prefixlen?: number}>}

/**
 * What to remove so a dead keepalived's VIPs stop answering: a keepalived VMAC (a macvlan
 * carrying a VIP) goes whole, with its virtual MAC; elsewhere only the VIP address goes.
 * Input: `ip -j -d addr show`.
 */
export function planVipRelease(vips: readonly string[], addrs: readonly AddrEntry[]): {links: string[]; addresses: Array<{address: string; dev: string}>} {
  const links: string[] = []
  const addresses: Array<{address: string; dev: string}> = []
  for (const link of addrs) {
    const held = (link.addr_info ?? []).filter((a) => a.local && vips.includes(a.local))
    if (held.length === 0 || !link.ifname) continue
    if (link.linkinfo?.info_kind === 'macvlan') links.push(link.ifname)
    else for (const a of held) addresses.push({address: `${a.local}/${a.prefixlen ?? 32}`, dev: link.ifname})
  }
  return {links, addresses}
}

/**
 * Without a readable keepalived.conf: keepalived's VMAC interfaces (macvlan links named vrrp.* or,
 * for IPv6 instances, vrrp6.*: keepalived's default names), which carry the VIPs and the virtual MAC. Input: `ip -j -d addr show`.
 */
export function planVmacRelease(addrs: readonly AddrEntry[]): {links: string[]; addresses: Array<{address: string; dev: string}>} {
  const links = addrs.filter((l) => l.linkinfo?.info_kind === 'macvlan' && /^vrrp6?\./.test(l.ifname ?? '')).map((l) => l.ifname!)
  return {links, addresses: []}
}
