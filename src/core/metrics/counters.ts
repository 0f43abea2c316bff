/**
 * What the daemon counts while it runs, for its metrics: transitions by role and source, failed steps by
 * kind, watchdog actions. Pure: a value in, a new value out.
 */
export type TransitionFacts = {
  role: string
  source: string
  steps: ReadonlyArray<{kind: string; status: string}>
}

export type DaemonCounters = {
  /** "role source" -> count */
  transitions: Readonly<Record<string, number>>
  /** step kind -> count */
  stepsFailed: Readonly<Record<string, number>>
  /** action -> count */
  watchdog: Readonly<Record<string, number>>
}

export const NO_COUNTS: DaemonCounters = {transitions: {}, stepsFailed: {}, watchdog: {}}

const bump = (m: Readonly<Record<string, number>>, key: string, by = 1) => ({...m, [key]: (m[key] ?? 0) + by})

/** A transition the daemon applied (or tried to: a thrown transition counts with exit 1 and no steps). */
export function countTransition(c: DaemonCounters, t: TransitionFacts): DaemonCounters {
  // The daemon re-converges on every kernel change, its own included: one that changed nothing is no transition.
  if (t.source === 'reconcile' && t.steps.length === 0) return c
  let stepsFailed = c.stepsFailed
  for (const s of t.steps) if (s.status === 'failed') stepsFailed = bump(stepsFailed, s.kind)
  return {
    ...c,
    transitions: bump(c.transitions, `${t.role} ${t.source}`),
    stepsFailed,
    watchdog: t.source === 'watchdog' ? bump(c.watchdog, 'stop') : c.watchdog,
  }
}
