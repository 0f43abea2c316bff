import type {Cron, Logger} from '../../ports.js'
import type {Config} from '../../config/schema.js'
import {configError} from '../../core/errors.js'
import {replicationView} from '../../core/leases/replication.js'
import type {LeaseDeps} from './deps.js'
import {syncLeases} from './sync-leases.js'

export type LeaseSchedule = {stop(): Promise<void>}

/**
 * The daemon's safety net: a full `leases sync` on dnsmasq.sync_schedule (cron), catching changes
 * the hook could not push. Runs never overlap; a failure is logged and the next run tries again.
 * `cron` is node-cron (src/adapters/cron.ts), loaded only when a schedule is configured.
 */
export function startLeaseSchedule(deps: LeaseDeps, config: Config, log: Logger, cron: Cron): LeaseSchedule {
  const expr = config.dnsmasq.sync_schedule
  if (!config.dnsmasq.enabled || expr === '') return {stop: async () => {}}
  if (!cron.validate(expr)) throw configError(`dnsmasq.sync_schedule: ${JSON.stringify(expr)} is not a valid cron expression`)
  const task = cron.schedule(expr, 'ha-tool-lease-sync', async () => {
    try {
      const r = await syncLeases(deps)
      log.info({method: r.method, added: r.report.added, updated: r.report.updated, flushed: r.flushed, queue: r.queue}, 'scheduled lease sync')
    } catch (error) {
      log.warn({err: (error as Error).message}, 'scheduled lease sync failed')
    }
    // The daemon's word on replication: behind by more than dnsmasq.sync_warn_s is a warning in its log (status shows the same).
    const view = replicationView(deps.replication.read(), deps.queue.state(), deps.now(), config.dnsmasq.sync_warn_s)
    if (view.warning) log.warn({queue: view.queue, toPeerAgeS: view.toPeer.ageS, fromPeerAgeS: view.fromPeer.ageS}, view.warning)
  })
  return {
    stop: async () => {
      await task.stop()
      deps.close()
    },
  }
}
