import {parseLeaseText} from './parse.js'
import {leaseAt, leaseEnd, leaseStart, type LeaseTable} from './table.js'
import type {Lease, Lease4, Lease6} from './types.js'

export type LeaseFields = Omit<Lease4, 'line'> | Omit<Lease6, 'line'>

/** A lease's line as dnsmasq's lease_update_file() prints it (for leases built from hook events). */
export function formatLease(l: LeaseFields): string {
  if (l.family === 4) return `${l.expiry} ${l.mac} ${l.ip} ${l.host || '*'} ${l.clientId || '*'}`
  return `${l.expiry} ${l.iaid} ${l.ip} ${l.host || '*'} ${l.duid || '*'}`
}

/** A table holding these leases (validated like a file: a bad field is an error naming `name`). */
export function tableOf(leases: readonly LeaseFields[], name: string, serverDuid?: string): LeaseTable {
  const v4 = leases.filter((l) => l.family === 4).map(formatLease)
  const v6 = leases.filter((l) => l.family === 6).map(formatLease)
  const lines = [...v4, ...(serverDuid === undefined ? [] : [`duid ${serverDuid}`]), ...v6]
  return parseLeaseText(lines.map((l) => `${l}\n`).join(''), name)
}

/** The file with the lines of the given leases left out (dnsmasq's del: the lease is gone). */
export function withoutLeases(t: LeaseTable, drop: (lease: Lease) => boolean): Uint8Array {
  const keep: Array<[number, number]> = []
  let from = 0
  for (let i = 0; i < t.count; i++) {
    if (!drop(leaseAt(t, i))) continue
    keep.push([from, leaseStart(t, i)])
    from = leaseEnd(t, i) + 1
  }
  keep.push([from, t.buf.length])
  const size = keep.reduce((sum, [a, b]) => sum + b - a, 0)
  const out = new Uint8Array(size)
  let pos = 0
  for (const [a, b] of keep) {
    out.set(t.buf.subarray(a, b), pos)
    pos += b - a
  }
  return out
}
