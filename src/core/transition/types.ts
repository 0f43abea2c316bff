/**
 * The vocabulary of a transition: roles keepalived reports, the steps a plan is made of, and
 * what the node looked like when the plan was made. Pure data, shared by the planner (core),
 * the executor (app) and status.
 */
export type Role = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP'

/**
 * One action of a plan. `kind` selects the executor (src/app/steps/*); `args` is its input.
 * `critical` steps stop the plan when they fail (nothing after them may run safely);
 * the rest are reported and the plan goes on (exit 3, partial).
 */
export type Step = {
  kind: string
  args: Record<string, unknown>
  why: string
  critical: boolean
}

export type StepOutcome = {
  kind: string
  why: string
  status: 'ok' | 'failed' | 'skipped'
  durationMs: number
  detail?: string
  error?: string
}

/** What the transition engine observed before planning (read from the kernel, networkd, files). */
export type ObservedWan = {
  /** Copies of "to all lookup <table> priority <prio>" present. */
  ruleCount: number
  link: {exists: boolean; adminUp: boolean; carrier: boolean}
  hasAddress: boolean
  /** Table <wan.table> has a default route. */
  hasDefaultRoute: boolean
  /** The BACKUP-silence nftables table is loaded. */
  silenced: boolean
}

/** The state file (<state.dir>/state.json), read by status and by the next transition. */
export type StateFile = {
  version: 1
  role: Role
  /** Where the event came from: notify (script mode), fifo, dbus (daemon start-up), resync, hand. */
  source: string
  instance: string
  /** Wall-clock ms of when the transition started and ended. */
  startedAt: number
  finishedAt: number
  /** Ordering key of the invocation that wrote this (see core/transition/order.ts). */
  order?: {startTicks: number; pid: number}
  exit: number
  steps: StepOutcome[]
  /** Earlier transitions, newest first (bounded). */
  history: Array<{role: Role; source: string; startedAt: number; durationMs: number; exit: number}>
}
