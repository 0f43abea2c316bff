import type {Exec} from '../adapters/exec.js'
import type {Logger} from '../adapters/log.js'
import type {Config} from '../config/schema.js'
import {leaseSteps} from '../core/leases/transition-steps.js'
import type {PlanSlots} from '../core/transition/plan.js'
import type {Role} from '../core/transition/types.js'
import {createLeaseDeps} from './leases.js'
import {conntrackdSettings, conntrackTransition} from '../app/steps/conntrack.js'
import {realConntrackBackend} from './conntrack.js'
import {peerFromConfig} from '../adapters/peer.js'
import {createLeaseExecutors} from '../app/steps/leases.js'
import type {ExecutorsFor} from '../app/steps/types.js'
import type {ConntrackStepKind} from '../core/conntrack/plan.js'
import type {LeaseStepKind} from '../app/steps/leases.js'

/**
 * The conntrackd and dnsmasq steps a transition carries in its slots, and their executors.
 * conntrackd's commit goes before the WAN opens; its flush/resync/bulk send and the lease
 * steps after the WAN is converged (serving DHCP and keeping flows matter, but never more
 * than routing: none of these steps is critical).
 */
export function transitionSlots(config: Config, log: Logger, exec: Exec): {plan(role: Role, previous: Role | undefined): Promise<PlanSlots>; executors: ExecutorsFor<ConntrackStepKind | LeaseStepKind>} {
  const ct = conntrackTransition(config, realConntrackBackend(conntrackdSettings(config), exec, log, peerFromConfig(config, log)))
  return {
    plan: async (role) => {
      const c = config.conntrackd.enabled ? ct.plan(role) : {beforeWan: [], afterWan: []}
      return {beforeWan: c.beforeWan, afterWan: [...c.afterWan, ...leaseSteps(role, config)]}
    },
    executors: {...ct.executors, ...createLeaseExecutors(() => createLeaseDeps(config, exec, log, () => Date.now()))},
  }
}
