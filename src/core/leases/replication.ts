/**
 * How far lease replication with the peer has got, in each direction: `toPeer` (this node's
 * lease changes delivered: hook pushes, queue flushes) and `fromPeer` (the peer's leases here: a
 * sync's fetch and merge, or a push the peer's hook made). Recorded by the lease use-cases, shown
 * by `status`, judged against dnsmasq.sync_warn_s.
 */
export type SyncMark = {
  /** Epoch ms of the last attempt, and whether it worked. */
  at: number
  ok: boolean
  /** Epoch ms of the last success (kept across failures). */
  lastOkAt?: number
  error?: string
}

export type Direction = 'toPeer' | 'fromPeer'

export type QueueState = {pending: number; setAside: number; oldestAt?: number}

export type ReplicationView = {
  toPeer: DirectionView
  fromPeer: DirectionView
  queue: {pending: number; setAside: number; oldestAgeS: number | null}
  /**
   * Where this node's lease changes are read: `lease-file` = the daemon watches dnsmasq's lease file
   * (app/leases/lease-watch.ts; dnsmasq runs the shipped wrapper), `hook` = one `leases hook` run per change.
   */
  changesFrom: 'lease-file' | 'hook'
  /** Why replication is behind by more than sync_warn_s; null when it is not. */
  warning: string | null
}

export type DirectionView = {lastOkAt: string | null; ageS: number | null; lastTryOk: boolean | null; error: string | null}

/** The mark after an attempt at `at`. */
export function nextMark(prev: SyncMark | undefined, at: number, ok: boolean, error?: string): SyncMark {
  const lastOkAt = ok ? at : prev?.lastOkAt
  return {at, ok, ...(lastOkAt === undefined ? {} : {lastOkAt}), ...(ok || error === undefined ? {} : {error: error.slice(0, 300)})}
}

/**
 * The view, and the rule for "behind" (warnS = dnsmasq.sync_warn_s): a queued change older than
 * warnS has not reached the peer; a batch the peer refused never will; the peer's leases last
 * arrived more than warnS ago while a try since has failed. Nothing recorded yet is not behind.
 */
export function replicationView(marks: Partial<Record<Direction, SyncMark>>, queue: QueueState, now: number, warnS: number, watching = false): ReplicationView {
  const dir = (m: SyncMark | undefined): DirectionView => ({
    lastOkAt: m?.lastOkAt === undefined ? null : new Date(m.lastOkAt).toISOString(),
    ageS: m?.lastOkAt === undefined ? null : Math.max(0, Math.round((now - m.lastOkAt) / 1000)),
    lastTryOk: m ? m.ok : null,
    error: m && !m.ok ? m.error ?? null : null,
  })
  const oldestAgeS = queue.oldestAt === undefined ? null : Math.max(0, Math.round((now - queue.oldestAt) / 1000))
  const from = dir(marks.fromPeer)
  const reasons: string[] = []
  if (queue.pending > 0 && oldestAgeS !== null && oldestAgeS > warnS) reasons.push(`${queue.pending} queued change batch${queue.pending === 1 ? '' : 'es'} not on the peer for ${oldestAgeS} s`)
  if (queue.setAside > 0) reasons.push(`${queue.setAside} batch${queue.setAside === 1 ? '' : 'es'} refused by the peer (set aside)`)
  if (marks.fromPeer && !marks.fromPeer.ok && (from.ageS === null || from.ageS > warnS)) {
    reasons.push(`no lease sync from the peer for ${from.ageS === null ? 'ever' : `${from.ageS} s`}${from.error ? `: ${from.error}` : ''}`)
  }
  return {
    toPeer: dir(marks.toPeer),
    fromPeer: from,
    queue: {pending: queue.pending, setAside: queue.setAside, oldestAgeS},
    changesFrom: watching ? 'lease-file' : 'hook',
    warning: reasons.length ? `lease replication behind by more than dnsmasq.sync_warn_s = ${warnS} s: ${reasons.join('; ')}` : null,
  }
}
