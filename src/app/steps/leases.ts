import type {LeaseDeps} from '../leases/deps.js'
import {syncLeases} from '../leases/sync-leases.js'
import type {ExecutorsFor} from './types.js'

export type LeaseStepKind = 'leases.pull' | 'dnsmasq.start' | 'dnsmasq.stop'

/**
 * Executors of the lease steps (core/leases/transition-steps.ts). `makeDeps` opens the lease
 * adapters for one step (the real ones from src/wiring, fakes in test/app); they are closed after it.
 */
export function createLeaseExecutors(makeDeps: () => LeaseDeps): ExecutorsFor<LeaseStepKind> {
  const withDeps = async <T>(fn: (d: LeaseDeps) => Promise<T>): Promise<T> => {
    const d = makeDeps()
    try {
      return await fn(d)
    } finally {
      d.close()
    }
  }
  return {
    // Promotion: the peer's leases first, so dnsmasq starts with them (or gets them over D-Bus / a restart).
    'leases.pull': ({args}) => withDeps(async (d) => {
      const r = await syncLeases(d, {allowRestart: args.allowRestart})
      return {detail: `${r.peerLeases} peer leases: ${r.report.added} added, ${r.report.updated} updated (${r.method})`}
    }),
    'dnsmasq.start': () => withDeps(async (d) => {
      const pid = d.dnsmasq.running()
      if (pid !== undefined) return {detail: `already running (pid ${pid})`}
      await d.dnsmasq.start()
      return {detail: `started (pid ${d.dnsmasq.running() ?? '?'})`}
    }),
    'dnsmasq.stop': () => withDeps(async (d) => {
      const pid = d.dnsmasq.running()
      if (pid === undefined) return {detail: 'not running'}
      await d.dnsmasq.stop()
      return {detail: `stopped pid ${pid}`}
    }),
  }
}
