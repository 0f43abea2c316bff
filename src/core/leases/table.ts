import type {Lease} from './types.js'

/**
 * A parsed lease file kept as the bytes it was read from plus per-lease field offsets, so that
 * two 100k-lease files merge at sort(1) speed: no string or object per lease unless asked for.
 * Serializing an unmodified table is the input itself, byte for byte.
 */
export type LeaseTable = {
  /** Where the bytes came from (a path, or "peer:PATH"), for messages. */
  name: string
  /** The file's bytes; every line, the last included, ends in '\n'. */
  buf: Uint8Array
  /** Number of leases (the `duid` line is not one). */
  count: number
  /** Per lease: offsets of the line start, the four separating spaces, and the line end ('\n'). */
  start: Int32Array
  sp1: Int32Array
  sp2: Int32Array
  sp3: Int32Array
  sp4: Int32Array
  end: Int32Array
  /** Epoch seconds; 0 = infinite. */
  expiry: Float64Array
  /** 4 or 6. */
  family: Uint8Array
  /** IPv4 address as a number (0 for IPv6 leases). */
  ip4: Float64Array
  /** The server DUID of the last `duid` line, if any. */
  serverDuid?: string
}

export function latin1(buf: Uint8Array, from: number, to: number): string {
  let s = ''
  for (let i = from; i < to; i += 4096) s += String.fromCharCode(...buf.subarray(i, Math.min(to, i + 4096)))
  return s
}

/** The text of lease i's line, without its newline. */
export function leaseLine(t: LeaseTable, i: number): string {
  return latin1(t.buf, t.start[i], t.end[i])
}

/** Lease i as an object (for reports, D-Bus injection, `leases show`). */
export function leaseAt(t: LeaseTable, i: number): Lease {
  const {buf} = t
  const f2 = latin1(buf, t.sp1[i] + 1, t.sp2[i])
  const ip = latin1(buf, t.sp2[i] + 1, t.sp3[i])
  const host = latin1(buf, t.sp3[i] + 1, t.sp4[i])
  const last = latin1(buf, t.sp4[i] + 1, t.end[i])
  const line = latin1(buf, t.start[i], t.end[i])
  if (t.family[i] === 4) return {family: 4, expiry: t.expiry[i], mac: f2, ip, host, clientId: last, line}
  return {family: 6, expiry: t.expiry[i], iaid: f2, ip, host, duid: last, line}
}

/** Every lease as objects, in file order. */
export function leasesOf(t: LeaseTable): Lease[] {
  const out: Lease[] = new Array(t.count)
  for (let i = 0; i < t.count; i++) out[i] = leaseAt(t, i)
  return out
}
