/** What the daemon's view of the WAN (ObservedWan) is made of: events about anything else leave it valid. */
/** lan6: the LAN and IPv6 VMAC whose addresses carry the delegated prefix (lan-prefix.ts), when advertised. */
export type WanScope = {dev: string; table: number; silenceTable: string; lan6?: {lan: string; vmac: string}}

const MAIN_TABLE = 254

/**
 * Whether one line of `ip -o -N monitor label rule link address route` can change the observed
 * WAN (rules, the WAN link and its addresses, routes of the WAN table). keepalived's own changes at a
 * failover (the VIP on its VMAC link, that link, their local routes) do not, so the view read before
 * stays valid and the transition starts without reading the kernel again. Unknown lines count.
 */
export function ipEventMatters(line: string, scope: WanScope): boolean {
  const m = /^\[(RULE|LINK|ADDR|ROUTE)\](?:Deleted )?(.*)$/.exec(line)
  if (!m) return line.trim() !== ''
  const [, label, rest] = m
  switch (label) {
    case 'RULE':
      return true
    case 'LINK':
    case 'ADDR': {
      // "3: wan0@peer: <...>" (link), "3: wan0    inet ..." (address)
      const name = /^\d+: ([^\s:@]+)/.exec(rest)?.[1]
      if (name === undefined || name === scope.dev) return true
      // The delegation's address on the LAN (networkd), and ha-tool's on the VMAC (noprefixroute; the
      // VIPs keepalived moves at a failover have none, so the view read before a transition stays valid).
      const l6 = scope.lan6
      return label === 'ADDR' && l6 !== undefined && / inet6 /.test(rest) && (name === l6.lan || (name === l6.vmac && /\bnoprefixroute\b/.test(rest)))
    }
    default: {
      // A delegated prefix came or went: networkd's unreachable route for it, in main (-N prints type 7, proto 16 = dhcp).
      if (/^(unreachable|7) \S+\/\d+ .*\bproto (16|dhcp)\b/.test(rest)) return true
      // -N prints tables as numbers; the main table is not printed at all.
      const table = /\btable (\S+)/.exec(rest)?.[1]
      return table === undefined ? scope.table === MAIN_TABLE : table === String(scope.table)
    }
  }
}

/** Whether one line of `nft monitor` is about the silence table (the rest of the ruleset is not observed). */
export function nftEventMatters(line: string, scope: WanScope): boolean {
  if (line.startsWith('#') || line.trim() === '') return false
  return new RegExp(`\\bnetdev ${scope.silenceTable}\\b`).test(line) || /\bruleset\b/.test(line)
}
