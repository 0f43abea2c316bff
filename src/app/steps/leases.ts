import {HaError} from '../../core/errors.js'
import type {LeaseDeps} from '../leases/deps.js'
import {applyFromPeer, fetchFromPeer, LEASES_LOCK} from '../leases/sync-leases.js'
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
    // Promotion: the peer's leases first, so dnsmasq starts with them. A peer that has not answered
    // within startDnsmasqAfterMs is most likely dead (the usual reason for a promotion), and waiting
    // out ssh's connect timeout would leave the LAN without DHCP: dnsmasq starts then, and the
    // merge reaches it over D-Bus or a restart once the peer answers (applyLeases).
    'leases.pull': ({args}) => withDeps(async (d) => {
      const fetching = fetchFromPeer(d)
      const early = await outlasts(fetching, args.startDnsmasqAfterMs) ? await startEarly(d, args.startDnsmasqAfterMs) : undefined
      try {
        const r = await applyFromPeer(d, await fetching, {allowRestart: args.allowRestart})
        return {detail: `${r.peerLeases} peer leases: ${r.report.added} added, ${r.report.updated} updated (${r.method})${early ?? ''}`}
      } catch (error) {
        if (!early) throw error
        const e = error instanceof HaError ? error : new HaError((error as Error).message)
        throw new HaError(`${e.message}${early}`, e.exit, {kind: e.kind, hint: e.hint, cause: error})
      }
    }),
    'dnsmasq.start': () => withDeps(async (d) => {
      // Looked at before the lock too: a running dnsmasq (active/active) must not wait behind a hook's merge.
      const pid = d.dnsmasq.running()
      if (pid !== undefined) return {detail: `already running (pid ${pid})`}
      return {detail: await startDnsmasq(d) ?? 'already running'}
    }),
    'dnsmasq.stop': () => withDeps(async (d) => {
      const pid = d.dnsmasq.running()
      if (pid === undefined) return {detail: 'not running'}
      await d.dnsmasq.stop()
      return {detail: `stopped pid ${pid}`}
    }),
  }
}

/** Whether `p` is still pending after `ms` (it is never left rejected and unhandled). */
async function outlasts(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), ms) })
  try {
    return await Promise.race([p.then(() => false, () => false), late])
  } finally {
    clearTimeout(timer)
  }
}

/** The early start of a promotion, as a suffix of its report (undefined: dnsmasq was running). */
async function startEarly(d: LeaseDeps, afterMs: number): Promise<string | undefined> {
  try {
    const started = await startDnsmasq(d)
    return started && `; dnsmasq ${started} after ${afterMs} ms without waiting for them`
  } catch (error) {
    // The dnsmasq.start step after this one tries again; the pull goes on.
    return `; dnsmasq did not start after ${afterMs} ms: ${(error as Error).message}`
  }
}

/**
 * Starts dnsmasq unless it runs (then undefined), under the leases lock: a merge in flight
 * (`leases receive` from the peer, a late promotion pull) reads whether dnsmasq runs and then writes
 * the file, and a start between the two would serve the old file and later overwrite the merge. A lock that cannot be had
 * does not keep DHCP down: dnsmasq starts anyway, and the scheduled sync mends what a race lost.
 */
async function startDnsmasq(d: LeaseDeps): Promise<string | undefined> {
  let lock: {release(): Promise<void>} | undefined
  try {
    lock = await d.lock(LEASES_LOCK, d.config.dnsmasq.command_timeout_ms)
  } catch (error) {
    d.log.warn({err: (error as Error).message}, 'dnsmasq starts without the leases lock')
  }
  try {
    if (d.dnsmasq.running() !== undefined) return undefined
    await d.dnsmasq.start()
    return `started (pid ${d.dnsmasq.running() ?? '?'})`
  } finally {
    await lock?.release()
  }
}
