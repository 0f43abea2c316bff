import type {Role} from '../transition/types.js'

/** A transition the daemon asks for; `releaseVips` on the watchdog's STOP only. */
export type DaemonRequest = {
  role: Role
  source: 'fifo' | 'dbus' | 'watchdog' | 'reconcile'
  instance: string
  releaseVips?: boolean
}

/** Settings the rules read (resolved once from [keepalived]). */
export type DaemonSettings = {
  /** keepalived.instance: "" = the only one there is. */
  instance: string
  /** keepalived.watchdog: converge to STOP when keepalived dies without one. */
  watchdog: boolean
}

export type DaemonCounters = {lines: number; transitions: number; watchdogStops: number; reconciled: number}

/** Everything the daemon remembers between events. Plain data: the runner never mutates it. */
export type DaemonState = {
  settings: DaemonSettings
  /** The transition being applied, and the one waiting for it (a newer request replaces it). */
  running?: DaemonRequest
  pending?: DaemonRequest
  /** The role of the last transition that finished. */
  lastRole?: Role
  /** A FIFO event was seen: it is newer than what D-Bus reported at start-up. */
  sawEvent: boolean
  /** Instance/group names seen while keepalived.instance is "" (warned about once, at two). */
  names: string[]
  /** When reconciles that changed something happened (last minute), and until when repairs pause. */
  repairs: number[]
  pausedUntil: number
  /** A reconcile is due at this time (kernel changes come in bursts: wait for the burst to end). */
  reconcileAt?: number
  /** keepalived was found dead and the watchdog acted; re-armed when it is seen alive again. */
  keepalivedDown: boolean
  terminating: boolean
  counters: DaemonCounters
}

/** What happened. Extend the union (and the switch in step()) for a new kind of input. */
export type DaemonEvent =
  | {type: 'fifo-line'; line: string}
  /** The role keepalived reported over D-Bus at start-up (undefined: none usable). */
  | {type: 'dbus-role'; role?: Role}
  /** A transition finished; `steps` are the kinds its plan had (none: it found the node converged). */
  | {type: 'transition-done'; request: DaemonRequest; exit?: number; steps: string[]; error?: string}
  /** The WAN side changed in the kernel (rules, links, addresses, routes, the silence table). */
  | {type: 'kernel-change'}
  /** A timer the rules asked for is due. */
  | {type: 'timer'}
  /** The periodic look at keepalived: alive per the process table / pid file, undefined when unknown. */
  | {type: 'watchdog-tick'; alive: boolean | undefined}
  /** Evidence that keepalived is dead (the FIFO's writer closed and no keepalived is left): act now. */
  | {type: 'keepalived-gone'; why: string}
  | {type: 'terminate'}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** What to do. The runner performs them in order. */
export type DaemonAction =
  | {type: 'transition'; request: DaemonRequest}
  /** Tell the resident services the node now holds `role` (the health monitor re-checks). */
  | {type: 'after-transition'; role: Role}
  /** (Re)arm the one timer for time `at`, or cancel it (at undefined). */
  | {type: 'timer'; at?: number}
  | {type: 'log'; level: LogLevel; msg: string; fields?: Record<string, unknown>}
