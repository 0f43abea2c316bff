import {TRACK_FAILBACK_GATE} from '../health/track-value.js'

/**
 * The failback gate: a node that comes back must not become MASTER before it holds the MASTER's
 * flows. While the gate is closed the node holds itself out of MASTER through keepalived's
 * track_file (see trackWithGate); it opens when the by-flows check passes, when there is no other
 * MASTER to fail back from (peer unreachable, or not MASTER), when this node is MASTER anyway, or
 * when conntrackd.failback_timeout_ms runs out (logged as an error). Pure: the daemon's use-case
 * (app/failback-gate.ts) feeds it events and acts on what it returns.
 */
export type GateState = {
  open: boolean
  /** Epoch ms of the last open/close change. */
  since: number
  reason: string
  /** What the last by-flows check found (undefined before the first). */
  missing?: number
  extra?: number
  master?: number
  checkedAt?: number
  /** Opened by the timeout, not by the check. */
  timedOut?: boolean
}

export type PeerRole = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'unknown'

export type GateEvent =
  /** The daemon starts (the node is returning, or the daemon restarted). */
  | {kind: 'start'; at: number; role?: string; enabled: boolean; why?: string; forcedOpen: boolean}
  /** This node applied a transition. */
  | {kind: 'role'; at: number; role: string}
  /** One by-flows check: the MASTER's table over the peer port against this node's cache. */
  | {kind: 'check'; at: number; state: 'in-sync' | 'behind' | 'unverified' | 'unavailable'; message: string; missing?: number; extra?: number; master?: number; peerReached: boolean; peerRole?: PeerRole}
  /** Time passes (the timeout). */
  | {kind: 'tick'; at: number}

export type GateStep = {state: GateState; changed: boolean; log?: {level: 'info' | 'warn' | 'error'; message: string}}

const opened = (s: GateState, at: number, reason: string, level: 'info' | 'warn' | 'error' = 'info', extra: Partial<GateState> = {}): GateStep =>
  ({state: {...s, ...extra, open: true, since: at, reason}, changed: true, log: {level, message: `failback gate open: ${reason}`}})

export function nextGate(s: GateState | undefined, e: GateEvent, timeoutMs: number): GateStep {
  if (e.kind === 'start') {
    const base: GateState = {open: true, since: e.at, reason: ''}
    if (e.forcedOpen) return opened(base, e.at, 'forced open (test flag HA_TOOL_TEST_FAILBACK_GATE=open): takeovers are not held back', 'warn')
    if (!e.enabled) return {state: {...base, reason: e.why ?? 'off'}, changed: true}
    if (e.role === 'MASTER') return {state: {...base, reason: 'this node is MASTER'}, changed: true}
    return {state: {open: false, since: e.at, reason: 'returning: waiting until this node holds the MASTER\'s flows'}, changed: true, log: {level: 'info', message: 'failback gate closed: this node stays out of MASTER until it holds the MASTER\'s flows'}}
  }
  const cur = s ?? {open: true, since: e.at, reason: 'not started'}
  if (cur.open) return {state: cur, changed: false}
  switch (e.kind) {
    case 'role':
      // keepalived made this node MASTER anyway (the peer died: it is the only one left).
      return e.role === 'MASTER' ? opened(cur, e.at, 'this node became MASTER') : {state: cur, changed: false}
    case 'check': {
      const found = {missing: e.missing, extra: e.extra, master: e.master, checkedAt: e.at}
      if (!e.peerReached) return opened(cur, e.at, `no other MASTER: the peer is unreachable (${e.message})`, 'warn', found)
      if (e.peerRole && e.peerRole !== 'MASTER' && e.peerRole !== 'unknown') return opened(cur, e.at, `no other MASTER: the peer is ${e.peerRole}`, 'info', found)
      if (e.state === 'in-sync') return opened(cur, e.at, e.message, 'info', found)
      return {state: {...cur, ...found, reason: `closed: ${e.message}`}, changed: e.missing !== cur.missing || e.master !== cur.master}
    }
    case 'tick':
      if (e.at - cur.since < timeoutMs) return {state: cur, changed: false}
      return opened(cur, e.at, `conntrackd.failback_timeout_ms (${timeoutMs} ms) expired${cur.missing !== undefined ? ` with ${cur.missing} of the MASTER's ${cur.master} flows missing` : ' before the check passed'}: taking over may reset those flows`, 'error', {timedOut: true})
  }
}

/** Its own value, so `status` can tell it apart; with weight 0 any non-zero value means FAULT. */
export const TRACK_FAILBACK = TRACK_FAILBACK_GATE

/**
 * The one track_file value from both verdicts: health (0 ok, 1 unhealthy, 2 maintenance) wins
 * when it is not ok; otherwise a closed gate holds the node out of MASTER.
 */
export function trackWithGate(health: number, gateOpen: boolean): number {
  if (health !== 0) return health
  return gateOpen ? 0 : TRACK_FAILBACK
}

/** Where the daemon persists the gate for status and `maintenance off`. */
export const gateFilePath = (stateDir: string): string => `${stateDir}/failback-gate.json`
