import type {ConntrackdClient} from '../ports.js'
import {errorLine} from '../core/errors.js'
import type {ConntrackdStats} from '../core/conntrack/stats.js'
import {compareFailback} from '../core/conntrack/verify.js'

/** Whether the BACKUP of the pair holds the MASTER's flows (what `status` reports, and the failback step checks). */
export type FailbackStatus = {
  state: 'in-sync' | 'behind' | 'unverified' | 'unavailable'
  /** Flows the BACKUP holds from the MASTER. */
  backup?: number
  /** Flows the MASTER owns. */
  master?: number
  missing?: number
  allowed?: number
  /** Where the BACKUP's count comes from: its external cache, or its kernel table with DisableExternalCache. */
  source?: 'external-cache' | 'kernel-table'
  waitedMs: number
  message: string
}

export type FailbackDeps = {
  client: ConntrackdClient
  /** `conntrackd -s` on the other node; undefined when conntrackd.peer_exec is not set. */
  peerStats?: () => Promise<ConntrackdStats>
  sleep(ms: number): Promise<void>
  mono(): number
}

export type FailbackOptions = {
  /** This node's role: BACKUP compares its copy with the peer's flows, MASTER the reverse. */
  role: 'MASTER' | 'BACKUP'
  /** How long to wait for the copy to arrive (0: one reading, as status does). */
  waitMs: number
  tolerancePercent: number
}

// Flows that open or close between reading one node and the other: a few even on a quiet pair.
const ABSOLUTE_TOLERANCE = 2
const POLL_MS = 100
// Without the MASTER's count, the copy is taken as complete once it stops growing for this many polls
// (live flows keep the count moving both ways, so "unchanged" may never come).
const SETTLED_POLLS = 2

/**
 * A node that comes back as BACKUP holds no state; its `-n` asks the MASTER for a full resync.
 * This checks that the copy arrived: the BACKUP's external cache (or kernel table) against the
 * MASTER's internal cache, polled until it matches, stops growing, or waitMs runs out.
 * The MASTER cannot see a BACKUP return through VRRP (a BACKUP sends no adverts), so the
 * BACKUP's side is where this runs; status calls it on either node.
 */
export async function checkFailbackSync(deps: FailbackDeps, opts: FailbackOptions): Promise<FailbackStatus> {
  const started = deps.mono()
  const waited = () => Math.round(deps.mono() - started)
  let peer: ConntrackdStats | undefined
  let peerError: string | undefined
  if (deps.peerStats) {
    try { peer = await deps.peerStats() } catch (error) { peerError = errorLine(error) }
  }

  const backupCount = (local: ConntrackdStats, other?: ConntrackdStats): {n?: number; source: FailbackStatus['source']} => {
    const s = opts.role === 'BACKUP' ? local : other
    if (!s) return {source: undefined}
    if (s.externalInject) return {n: opts.role === 'BACKUP' ? deps.client.kernelCount() : undefined, source: 'kernel-table'}
    return {n: s.external?.active, source: 'external-cache'}
  }
  const masterCount = (local: ConntrackdStats, other?: ConntrackdStats): number | undefined =>
    (opts.role === 'BACKUP' ? other : local)?.internal?.active

  let local: ConntrackdStats
  try {
    local = await deps.client.stats()
  } catch (error) {
    return {state: 'unavailable', waitedMs: waited(), message: errorLine(error)}
  }
  let previous: number | undefined
  let notGrowing = 0
  for (;;) {
    const b = backupCount(local, peer)
    const m = masterCount(local, peer)
    if (b.n !== undefined && m !== undefined) {
      const cmp = compareFailback(b.n, m, {percent: opts.tolerancePercent, absolute: ABSOLUTE_TOLERANCE})
      const done = cmp.verdict === 'in-sync' || waited() >= opts.waitMs
      if (done) {
        const text = cmp.verdict === 'in-sync'
          ? `in sync: the BACKUP holds ${cmp.local} of the MASTER's ${cmp.peer} flows`
          : `behind: the BACKUP holds ${cmp.local} of the MASTER's ${cmp.peer} flows (${cmp.missing} missing, ${cmp.allowed} allowed) after ${waited()} ms`
        return {state: cmp.verdict, backup: cmp.local, master: cmp.peer, missing: cmp.missing, allowed: cmp.allowed, source: b.source, waitedMs: waited(), message: text}
      }
    } else if (!deps.peerStats || peerError || waited() >= opts.waitMs || notGrowing >= SETTLED_POLLS) {
      // No count to compare with: report what this node holds once it stops changing.
      const why = peerError ? `the peer could not be read: ${peerError}`
        : !deps.peerStats ? 'conntrackd.peer_exec is not set, so the MASTER\'s count is unknown'
          : 'the MASTER\'s count is not available (DisableInternalCache?)'
      const holds = opts.role === 'BACKUP' && b.n !== undefined ? `this BACKUP holds ${b.n} flows from the MASTER; ` : ''
      return {state: 'unverified', backup: opts.role === 'BACKUP' ? b.n : undefined, master: m, source: b.source, waitedMs: waited(), message: `unverified: ${holds}${why}`}
    }
    notGrowing = b.n !== undefined && previous !== undefined && b.n <= previous ? notGrowing + 1 : 0
    previous = b.n
    await deps.sleep(POLL_MS)
    try {
      local = await deps.client.stats()
      if (opts.role === 'MASTER' && deps.peerStats && !peerError) peer = await deps.peerStats()
    } catch (error) {
      return {state: 'unavailable', waitedMs: waited(), message: errorLine(error)}
    }
  }
}
