/**
 * dnsmasq's lease database as data. Every entry keeps the exact text of its line, so a file
 * parsed and serialized again is the same bytes (dnsmasq's own spellings survive a merge).
 */
export type Lease4 = {
  family: 4
  /** Absolute epoch seconds; 0 = infinite. */
  expiry: number
  /** Lower- or upper-case hex bytes joined by ':', optionally prefixed by the hardware type ("06-"). */
  mac: string
  ip: string
  /** '*' when unknown. */
  host: string
  /** Hex bytes joined by ':', or '*'. */
  clientId: string
  line: string
}

export type Lease6 = {
  family: 6
  expiry: number
  /** Decimal IAID, 'T'-prefixed for a temporary address (IA_TA). */
  iaid: string
  ip: string
  host: string
  /** The client's DUID, or '*'. */
  duid: string
  line: string
}

export type Lease = Lease4 | Lease6

/** Who a lease belongs to: the client id when there is one, else the MAC (IPv6: DUID + IAID). */
export function clientKey(l: Lease): string {
  if (l.family === 4) return l.clientId === '*' ? `m:${l.mac.toLowerCase()}` : `c:${l.clientId.toLowerCase()}`
  return l.duid === '*' ? `a:${l.ip.toLowerCase()}` : `d:${l.duid.toLowerCase()}|${l.iaid}`
}
