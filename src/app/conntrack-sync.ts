import type {ConntrackdClient} from '../ports.js'
import {errorLine} from '../core/errors.js'
import {compareFlows, type FlowComparison, type FlowRecord, parseFlows} from '../core/conntrack/flows.js'

/** Whether this returning node holds the MASTER's flows, by tuple (the failback step and the gate report it). */
export type FailbackStatus = {
  state: 'in-sync' | 'behind' | 'unverified' | 'unavailable'
  /** Flows this node holds from the MASTER. */
  backup?: number
  /** Flows the MASTER's kernel holds that conntrackd replicates. */
  master?: number
  missing?: number
  /** Flows held here that the MASTER no longer has. */
  extra?: number
  allowed?: number
  sampleMissing?: string[]
  /** Where this node's copy is read: its external cache, or its kernel table with DisableExternalCache. */
  source?: 'external-cache' | 'kernel-table'
  waitedMs: number
  message: string
}

export type FailbackDeps = {
  client: ConntrackdClient
  /** The MASTER's flow records over the peer port (`ha-tool peer flows`); undefined when there is no peer to ask. */
  peerFlows?: () => Promise<FlowRecord[]>
  /** This node's kernel table (`conntrack -L`): the copy's place with DisableExternalCache. */
  kernelFlows(): Promise<string>
  sleep(ms: number): Promise<void>
  mono(): number
}

export type FailbackOptions = {
  /** How long to wait for the copy to arrive (0: one reading). */
  waitMs: number
  tolerancePercent: number
}

// Flows that open while the two tables are read: a few even on a quiet pair.
const ABSOLUTE_TOLERANCE = 2
const POLL_MS = 100

/**
 * A node that comes back holds no state; its `-n` asks the MASTER for a full resync. This checks
 * that the copy arrived, flow by flow: the MASTER's kernel table (read over the peer port,
 * restricted to what its conntrackd replicates) against this node's external cache, polled until
 * nothing is missing beyond the tolerance or waitMs runs out. The MASTER's table is read again
 * before saying "behind", so flows that closed meanwhile do not count as missing.
 */
export async function checkFailbackSync(deps: FailbackDeps, opts: FailbackOptions): Promise<FailbackStatus> {
  const started = deps.mono()
  const waited = () => Math.round(deps.mono() - started)
  const tol = {percent: opts.tolerancePercent, absolute: ABSOLUTE_TOLERANCE}

  let source: FailbackStatus['source']
  const local = async (): Promise<Set<string>> => {
    source ??= deps.client.conf().externalCache ? 'external-cache' : 'kernel-table'
    return parseFlows(source === 'external-cache' ? await deps.client.dump('external') : await deps.kernelFlows())
  }
  let mine: Set<string>
  try {
    mine = await local()
  } catch (error) {
    return {state: 'unavailable', waitedMs: waited(), message: errorLine(error)}
  }
  let master: FlowRecord[] | undefined
  let why = 'there is no peer to compare with'
  if (deps.peerFlows) {
    try { master = await deps.peerFlows() } catch (error) { why = `the MASTER's flows could not be read: ${errorLine(error)}` }
  }
  if (!master) return {state: 'unverified', backup: mine.size, source, waitedMs: waited(), message: `unverified: this node holds ${mine.size} flows from the MASTER; ${why}`}

  let cmp = compareFlows(master, mine, tol)
  let reread = false
  while (cmp.verdict === 'behind') {
    if (waited() >= opts.waitMs) {
      if (reread) break
      // Last chance: the MASTER's table as it is now (flows it closed meanwhile are not missing).
      reread = true
      try { master = await deps.peerFlows!() } catch { break }
    } else {
      await deps.sleep(POLL_MS)
    }
    try {
      mine = await local()
    } catch (error) {
      return {state: 'unavailable', waitedMs: waited(), message: errorLine(error)}
    }
    cmp = compareFlows(master, mine, tol)
  }
  return report(cmp, source, waited())
}

function report(cmp: FlowComparison, source: FailbackStatus['source'], waitedMs: number): FailbackStatus {
  const extra = cmp.extra > 0 ? `, ${cmp.extra} extra (closed on the MASTER)` : ''
  const message = cmp.verdict === 'in-sync'
    ? `in sync: ${cmp.master - cmp.missing} of the MASTER's ${cmp.master} flows are here (${cmp.missing} missing, ${cmp.allowed} allowed${extra})`
    : `behind: ${cmp.missing} of the MASTER's ${cmp.master} flows are missing here (${cmp.allowed} allowed${extra}) after ${waitedMs} ms; e.g. ${cmp.sampleMissing[0]}`
  return {state: cmp.verdict, backup: cmp.local, master: cmp.master, missing: cmp.missing, extra: cmp.extra, allowed: cmp.allowed, sampleMissing: cmp.sampleMissing, source, waitedMs, message}
}
