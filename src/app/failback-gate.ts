import type {Logger} from '../ports.js'
import {errorLine} from '../core/errors.js'
import {type GateEvent, type GateState, nextGate, type PeerRole} from '../core/failback/gate.js'
import type {FailbackStatus} from './conntrack-sync.js'

/** One by-flows check and what it learnt about the peer. */
export type GateCheck = FailbackStatus & {peerReached: boolean; peerRole?: PeerRole}

export type FailbackGateDeps = {
  log: Logger
  now(): number
  sleep(ms: number): Promise<void>
  /** `conntrackd -n`: ask the MASTER for a full resync (a node held in FAULT never ran the BACKUP plan's). */
  requestResync(): Promise<void>
  check(): Promise<GateCheck>
  /** Persists the gate for status (and writes the track_file's combined value). */
  changed(state: GateState): void
}

export type FailbackGateSettings = {
  enabled: boolean
  /** Why it is off, for status. */
  why?: string
  forcedOpen: boolean
  timeoutMs: number
  pollMs: number
  /** The role this node last applied, if any. */
  role?: string
}

const RESYNC_EVERY_MS = 5000

export type FailbackGate = {
  isOpen(): boolean
  state(): GateState
  /** The daemon's hook: told after every applied transition. */
  afterTransition(role: string): void
  stop(): Promise<void>
}

/**
 * The daemon's failback gate: closed at start unless this node is MASTER (or the gate is off),
 * then a by-flows check every pollMs until it passes, the peer turns out to be gone or not
 * MASTER, or the timeout expires. Every change is persisted and logged (the timeout as an error).
 */
export function startFailbackGate(deps: FailbackGateDeps, s: FailbackGateSettings): FailbackGate {
  let state: GateState
  let stopped = false
  let wake: (() => void) | undefined
  const apply = (e: GateEvent) => {
    const step = nextGate(state, e, s.timeoutMs)
    state = step.state
    if (step.log) deps.log[step.log.level]({gate: state}, step.log.message)
    if (step.changed) {
      try { deps.changed(state) } catch (error) { deps.log.error({err: errorLine(error)}, 'failback gate: cannot persist the gate') }
    }
  }
  apply({kind: 'start', at: deps.now(), role: s.role, enabled: s.enabled, why: s.why, forcedOpen: s.forcedOpen})

  const resync = async () => {
    try { await deps.requestResync() } catch (error) { deps.log.warn({err: errorLine(error)}, 'failback gate: conntrackd -n failed; checking what arrives anyway') }
  }
  const loop = async () => {
    await resync()
    let lastResync = deps.now()
    while (!stopped && !state.open) {
      // A resync lost on the way (sync link down for a moment) is asked for again.
      if (deps.now() - lastResync >= RESYNC_EVERY_MS) {
        await resync()
        lastResync = deps.now()
      }
      let c: GateCheck
      try {
        c = await deps.check()
      } catch (error) {
        c = {state: 'unavailable', message: errorLine(error), waitedMs: 0, peerReached: true}
      }
      if (stopped) break
      apply({kind: 'check', at: deps.now(), ...c})
      apply({kind: 'tick', at: deps.now()})
      if (state.open) break
      await Promise.race([deps.sleep(s.pollMs), new Promise<void>((resolve) => { wake = resolve })])
    }
  }
  const running = state!.open ? Promise.resolve() : loop()

  return {
    isOpen: () => state.open,
    state: () => state,
    afterTransition(role) {
      apply({kind: 'role', at: deps.now(), role})
      wake?.()
    },
    async stop() {
      stopped = true
      wake?.()
      await running
    },
  }
}
