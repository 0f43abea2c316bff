import {leaseAt, type LeaseTable} from './table.js'
import {clientKey, type Lease} from './types.js'

/**
 * The daemon reads dnsmasq's lease changes from its lease file (app/leases/lease-watch.ts): this
 * turns two versions of the file into the replication queue's lines (`add LEASE` / `del LEASE`).
 *
 * dnsmasq rewrites the file in place for every change (src/lease.c lease_update_file: rewind,
 * ftruncate to 0, the whole table through stdio, fflush, fsync), so a read can catch it midway and
 * see a prefix of the new table. Whole lines in such a prefix are true; only an absence can be
 * false. So additions and changes go at once, and a lease missing from the file is sent as a
 * deletion only when a later read, at least `confirmMs` after the first one that missed it, still
 * misses it.
 */

/** What the peer has been told, by address: the lease's line. Persisted across daemon restarts. */
export type FileSnapshot = ReadonlyMap<string, Lease>

/** Leases missing from the file, by address, and since when (epoch ms): deletions not yet confirmed. */
export type PendingDeletions = ReadonlyMap<string, number>

export type FileDiff = {
  /** Queue lines, without newlines, in the order to send. */
  lines: string[]
  snapshot: Map<string, Lease>
  pending: Map<string, number>
  /** When to read the file again to confirm a pending deletion (ms from now), if any. */
  recheckInMs?: number
}

/** The file's leases by address (dnsmasq holds one lease per address). */
export function snapshotOf(table: LeaseTable): Map<string, Lease> {
  const out = new Map<string, Lease>()
  for (let i = 0; i < table.count; i++) {
    const l = leaseAt(table, i)
    out.set(l.ip.toLowerCase(), l)
  }
  return out
}

/** The snapshot as lease-file text (one line per lease), for persisting it. */
export function snapshotText(snapshot: FileSnapshot): string {
  let text = ''
  for (const l of snapshot.values()) text += `${l.line}\n`
  return text
}

/**
 * The changes from `before` (what the peer was told) to `now` (the file as just read). A lease
 * whose address went to another client is sent as the old one's deletion, then the new lease.
 */
export function diffLeaseFile(before: FileSnapshot, current: FileSnapshot, pending: PendingDeletions, at: number, confirmMs: number): FileDiff {
  const lines: string[] = []
  const snapshot = new Map(before)
  const stillPending = new Map<string, number>()
  let recheckInMs: number | undefined
  for (const [ip, l] of current) {
    const old = before.get(ip)
    if (old?.line === l.line) continue
    if (old && clientKey(old) !== clientKey(l)) lines.push(`del ${old.line}`)
    lines.push(`add ${l.line}`)
    snapshot.set(ip, l)
  }
  for (const [ip, old] of before) {
    if (current.has(ip)) continue
    const since = pending.get(ip) ?? at
    if (at - since >= confirmMs) {
      lines.push(`del ${old.line}`)
      snapshot.delete(ip)
      continue
    }
    stillPending.set(ip, since)
    const wait = since + confirmMs - at
    recheckInMs = recheckInMs === undefined ? wait : Math.min(recheckInMs, wait)
  }
  return {lines, snapshot, pending: stillPending, ...(recheckInMs === undefined ? {} : {recheckInMs})}
}
