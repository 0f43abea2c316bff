import type {Logger} from '../../ports.js'
import type {Step, StepKind, StepOf} from '../../core/transition/types.js'

/** What every executor may use besides its step; adapters are bound when its table is made (src/wiring). */
export type StepContext = {log: Logger}

export type StepResult = {detail?: string; skipped?: boolean} | void

/**
 * Runs one step of a plan. Resolves with an optional one-line detail for the report (and
 * `skipped: true` when the step had nothing to do here, e.g. a no-op in this conntrackd mode), throws
 * (preferably a HaError whose message says what failed and how to fix it) when the step failed.
 */
export type StepExecutor<K extends StepKind = StepKind> = (step: StepOf<K>, ctx: StepContext) => Promise<StepResult>

/** One executor per step kind: a kind without one does not compile. */
export type StepExecutors = {[K in StepKind]: StepExecutor<K>}

/** The executors of some kinds (one capability's share of the table). */
export type ExecutorsFor<K extends StepKind> = Pick<StepExecutors, K>

/** Runs a step with the executor of its kind (the table is keyed by kind, so the lookup matches). */
export function runStep<K extends StepKind>(executors: ExecutorsFor<K>, step: StepOf<K>, ctx: StepContext): Promise<StepResult> {
  const run = executors[step.kind as K] as unknown as (s: Step, c: StepContext) => Promise<StepResult>
  return run(step, ctx)
}
