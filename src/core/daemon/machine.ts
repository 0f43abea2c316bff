import {decideEvent} from '../keepalived/event.js'
import {parseFifoLine} from '../keepalived/fifo-line.js'
import type {DaemonAction, DaemonEvent, DaemonRequest, DaemonSettings, DaemonState} from './types.js'

/** A reconcile that had to change something more often than this in a minute means someone fights us. */
export const RECONCILE_MAX_PER_MINUTE = 6
/** Kernel changes come in bursts (our own transition makes several): reconcile once the burst is over. */
export const RECONCILE_DEBOUNCE_MS = 200
const MINUTE = 60_000

export function initialDaemonState(settings: DaemonSettings): DaemonState {
  return {settings, sawEvent: false, names: [], repairs: [], pausedUntil: 0, keepalivedDown: false, terminating: false, counters: {lines: 0, transitions: 0, watchdogStops: 0, reconciled: 0}}
}

export type DaemonStep = {state: DaemonState; actions: DaemonAction[]}

/**
 * The daemon's rules, pure: (state, event, now) -> (state, actions).
 * - One transition at a time; a newer request replaces a pending one (the latest state wins).
 * - A FIFO event beats the role read over D-Bus at start-up (it is newer).
 * - The watchdog converges to STOP (releasing the VIPs) once per death of keepalived.
 * - A kernel change re-applies the last role after a quiet RECONCILE_DEBOUNCE_MS; more than
 *   RECONCILE_MAX_PER_MINUTE repairs a minute pause repairs for a minute.
 */
export function step(state: DaemonState, event: DaemonEvent, now: number): DaemonStep {
  const s: DaemonState = {...state, counters: {...state.counters}}
  const actions: DaemonAction[] = []
  const log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => actions.push({type: 'log', level, msg, ...(fields ? {fields} : {})})
  const enqueue = (request: DaemonRequest) => {
    if (s.running) s.pending = request
    else {
      s.running = request
      actions.push({type: 'transition', request})
    }
  }
  const {instance} = s.settings

  switch (event.type) {
    case 'fifo-line': {
      s.counters.lines++
      const parsed = parseFifoLine(event.line)
      if ('error' in parsed) { log('warn', parsed.error, {line: event.line}); break }
      if ('ignore' in parsed) { log('debug', `ignored: ${parsed.ignore}`, {line: event.line}); break }
      const e = parsed.event
      if (instance === '' && e.name) {
        const name = `${e.type} ${e.name}`
        if (!s.names.includes(name)) {
          s.names = [...s.names, name]
          if (s.names.length === 2) log('warn', 'events for more than one instance or group: set keepalived.instance to the one that drives this node', {seen: s.names})
        }
      }
      const decision = decideEvent(e, instance)
      if (decision.action === 'ignore') { log('info', `ignored: ${decision.reason}`, {line: event.line}); break }
      s.sawEvent = true
      enqueue({role: decision.role, source: 'fifo', instance: e.name ?? ''})
      break
    }
    case 'dbus-role':
      if (!event.role) { log('info', 'keepalived reports no usable role over D-Bus yet; waiting for the FIFO'); break }
      if (s.sawEvent) break // a FIFO event is newer than what was read
      log('info', 'start-up: converging to the role keepalived reports', {role: event.role})
      enqueue({role: event.role, source: 'dbus', instance})
      break
    case 'transition-done': {
      const req = event.request
      s.running = undefined
      if (event.error !== undefined) log('error', 'transition failed', {role: req.role, error: event.error})
      else {
        s.counters.transitions++
        s.lastRole = req.role
        actions.push({type: 'after-transition', role: req.role})
        if (req.source === 'reconcile' && event.steps.length > 0) {
          s.counters.reconciled++
          s.repairs = [...s.repairs.filter((t) => now - t < MINUTE), now]
          log('warn', 'reconcile: the WAN drifted from the applied role; converged it again', {steps: event.steps})
          if (s.repairs.length > RECONCILE_MAX_PER_MINUTE) {
            s.pausedUntil = now + MINUTE
            log('error', 'reconcile: something keeps undoing the WAN state (networkd ManageForeignRoutingPolicyRules? a firewall reload?); pausing repairs for a minute', {repairs: s.repairs.length})
          }
        }
        log('debug', 'applied', {role: req.role, exit: event.exit, source: req.source})
      }
      if (s.pending) {
        const next = s.pending
        s.pending = undefined
        enqueue(next)
      }
      // A kernel change seen while it ran: look again once it is quiet.
      if (s.reconcileAt !== undefined) actions.push({type: 'timer', at: Math.max(now, s.reconcileAt)})
      break
    }
    case 'kernel-change':
      if (s.terminating) break
      s.reconcileAt = now + RECONCILE_DEBOUNCE_MS
      actions.push({type: 'timer', at: s.reconcileAt})
      break
    case 'timer':
      if (s.reconcileAt === undefined) break
      // A timer may fire a little before the wall clock reaches its time (setTimeout runs on the
      // monotonic clock): arm it again, or the reconcile would be lost for good.
      if (now < s.reconcileAt) {
        actions.push({type: 'timer', at: s.reconcileAt})
        break
      }
      // A transition is running: it may have read the kernel before this change, so the reconcile
      // waits for it (transition-done re-arms the timer) instead of being dropped.
      if (s.running || s.pending) break
      s.reconcileAt = undefined
      if (s.terminating || !s.lastRole || now < s.pausedUntil) break
      enqueue({role: s.lastRole, source: 'reconcile', instance})
      break
    case 'watchdog-tick':
      if (event.alive === true) s.keepalivedDown = false
      else if (event.alive === false) watchdogStop(s, 'keepalived is not running (process table)', enqueue, log)
      break
    case 'keepalived-gone':
      watchdogStop(s, event.why, enqueue, log)
      break
    case 'terminate':
      s.terminating = true
      if (s.reconcileAt !== undefined) {
        s.reconcileAt = undefined
        actions.push({type: 'timer'})
      }
      break
  }
  return {state: s, actions}
}

/** Once per death: STOP and release the VIPs, unless already STOP or about to be. */
function watchdogStop(s: DaemonState, why: string, enqueue: (r: DaemonRequest) => void, log: (level: 'warn', msg: string, fields: Record<string, unknown>) => void): void {
  if (s.keepalivedDown) return
  s.keepalivedDown = true
  if (!s.settings.watchdog || s.lastRole === 'STOP' || s.running?.role === 'STOP' || s.pending?.role === 'STOP') return
  s.counters.watchdogStops++
  log('warn', 'watchdog: keepalived is gone without a STOP; converging to STOP', {why})
  enqueue({role: 'STOP', source: 'watchdog', instance: s.settings.instance, releaseVips: true})
}
