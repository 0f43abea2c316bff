import type {LeaseDeps} from '../app/leases/deps.js'
import {realLeaseDeps} from '../wiring/leases.js'
import type {Invocation} from './outcome.js'

/** Runs a lease command body with the real lease adapters, closed afterwards whatever happens. */
export async function withLeaseDeps<T>(inv: Invocation, fn: (deps: LeaseDeps) => Promise<T>): Promise<T> {
  const {config} = inv.ctx.config()
  const log = inv.ctx.logger()
  const deps = realLeaseDeps(config, log)
  try {
    return await fn(deps)
  } finally {
    deps.close()
  }
}
