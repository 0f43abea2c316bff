import type {Exec} from '../../adapters/exec.js'
import type {Logger} from '../../adapters/log.js'
import type {Config} from '../../config/schema.js'
import type {Step} from '../../core/transition/types.js'

/** What an executor may use: adapters are passed in so app tests can run steps against fakes. */
export type StepDeps = {
  config: Config
  exec: Exec
  log: Logger
  now(): number
}

/**
 * Runs one step of a plan. Resolves with an optional one-line detail for the report (and
 * `skipped: true` when the step had nothing to do here, e.g. a no-op in this conntrackd mode), throws
 * (preferably a HaError whose message says what failed and how to fix it) when the step failed.
 */
export type StepExecutor = (step: Step, deps: StepDeps) => Promise<{detail?: string; skipped?: boolean} | void>

export type StepExecutors = Record<string, StepExecutor>
