import {R_LEN, R_START, REC, type LeaseTable} from './table.js'

/**
 * Compares two lease lines as bytes. Competing copies of a lease are mostly identical, so equal
 * lines are the common case: compare four bytes at a time (read big-endian, so the first
 * differing word orders the lines as its bytes would), then the tail byte by byte.
 */
export function compareLines(va: DataView, a: Uint8Array, as: number, la: number, vb: DataView, b: Uint8Array, bs: number, lb: number): number {
  const len = Math.min(la, lb)
  let k = 0
  for (; k + 4 <= len; k += 4) {
    const wa = va.getUint32(as + k)
    const wb = vb.getUint32(bs + k)
    if (wa !== wb) return wa - wb
  }
  for (; k < len; k++) {
    const d = a[as + k] - b[bs + k]
    if (d !== 0) return d
  }
  return la - lb
}

/** A view of a table's bytes for reading four at a time. */
export const viewOf = (t: LeaseTable): DataView => new DataView(t.buf.buffer, t.buf.byteOffset, t.buf.byteLength)

/**
 * Copies each lease of t that has a destination (dest[i] = 1 + its offset in out) there, line and
 * newline, four bytes at a time where it can. Callers assign offsets in output order first, then
 * copy in file order: the input is read sequentially and the scattered accesses are writes, which
 * do not stall.
 */
export function copyLines(t: LeaseTable, dest: Int32Array, out: Uint8Array): void {
  const {buf, rec, count} = t
  const from = viewOf(t)
  const to = new DataView(out.buffer, out.byteOffset, out.byteLength)
  for (let i = 0; i < count; i++) {
    const d = dest[i]
    if (d === 0) continue
    let k = rec[i * REC + R_START]
    const e = k + rec[i * REC + R_LEN] + 1
    let q = d - 1
    for (; k + 4 <= e; k += 4, q += 4) to.setInt32(q, from.getInt32(k))
    for (; k < e; k++) out[q++] = buf[k]
  }
}
