import type {Exec} from '../../adapters/exec.js'
import type {Logger} from '../../adapters/log.js'
import type {Config} from '../../config/schema.js'
import type {PlanSlots} from '../../core/transition/plan.js'
import type {Role} from '../../core/transition/types.js'
import type {StepExecutors} from '../steps/types.js'

/**
 * The conntrackd and dnsmasq steps a transition carries in its slots, and their executors.
 */
export function transitionSlots(_config: Config, _log: Logger, _exec: Exec): {plan(role: Role, previous: Role | undefined): Promise<PlanSlots>; executors: StepExecutors} {
  return {plan: async () => ({}), executors: {}}
}
