import {createLeaseDeps} from '../leases/real-deps.js'
import type {LeaseDeps} from '../leases/deps.js'
import {syncLeases} from '../leases/sync-leases.js'
import type {StepDeps, StepExecutors} from './types.js'

/**
 * Executors of the lease steps (core/leases/transition-steps.ts), from any way to get the lease
 * adapters: the real ones by default, fakes in test/app.
 */
export function createLeaseExecutors(makeDeps: (deps: StepDeps) => LeaseDeps): StepExecutors {
  const withDeps = async <T>(deps: StepDeps, fn: (d: LeaseDeps) => Promise<T>): Promise<T> => {
    const d = makeDeps(deps)
    try {
      return await fn(d)
    } finally {
      d.close()
    }
  }
  return {
    // Promotion: the peer's leases first, so dnsmasq starts with them (or gets them over D-Bus / a restart).
    'leases.pull': (_step, deps) => withDeps(deps, async (d) => {
      const r = await syncLeases(d, {allowRestart: true})
      return {detail: `${r.peerLeases} peer leases: ${r.report.added} added, ${r.report.updated} updated (${r.method})`}
    }),
    'dnsmasq.start': (_step, deps) => withDeps(deps, async (d) => {
      const pid = d.dnsmasq.running()
      if (pid !== undefined) return {detail: `already running (pid ${pid})`}
      await d.dnsmasq.start()
      return {detail: `started (pid ${d.dnsmasq.running() ?? '?'})`}
    }),
    'dnsmasq.stop': (_step, deps) => withDeps(deps, async (d) => {
      const pid = d.dnsmasq.running()
      if (pid === undefined) return {detail: 'not running'}
      await d.dnsmasq.stop()
      return {detail: `stopped pid ${pid}`}
    }),
  }
}

export const leaseExecutors: StepExecutors = createLeaseExecutors((deps) => createLeaseDeps(deps.config, deps.exec, deps.log, deps.now))
