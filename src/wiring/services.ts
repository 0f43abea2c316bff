import {nodeCron} from '../adapters/cron.js'
import {createExec} from '../adapters/exec.js'
import {createMonitorDeps} from './health.js'
import type {Logger} from '../adapters/log.js'
import {readStateFile} from '../adapters/state-file.js'
import type {Config} from '../config/schema.js'
import type {DaemonService} from '../app/daemon.js'
import {startHealthMonitor} from '../app/health-monitor.js'
import {startLeaseSchedule} from '../app/leases/lease-schedule.js'
import {createLeaseDeps, startLeaseReplication} from './leases.js'

/**
 * Starts the daemon's resident services that the config enables: the health monitor writing
 * keepalived's track_file (health.monitor with targets) and the scheduled lease sync
 * (dnsmasq.enabled with a sync_schedule). A config error in either stops the daemon at start.
 */
export async function startDaemonServices(config: Config, log: Logger): Promise<DaemonService[]> {
  const services: DaemonService[] = []
  try {
    if (config.health.monitor && config.health.targets.length > 0) {
      // The role the daemon last applied decides whether WAN-path probes run (a BACKUP's WAN is silent).
      const deps = createMonitorDeps(config.state.dir, config.health.interval_ms, () => readStateFile(config.state.dir)?.role)
      const monitor = startHealthMonitor(deps, config, log.child({service: 'health'}))
      services.push({name: 'health monitor', stop: () => monitor.stop(), afterTransition: () => monitor.poke()})
    }
    if (config.dnsmasq.enabled) {
      // Lease changes the hook queues go to the peer over one held ssh channel (docs/leases.md).
      const replication = startLeaseReplication(config, log.child({service: 'lease replication'}))
      services.push({name: 'lease replication', stop: () => replication.stop()})
    }
    if (config.dnsmasq.enabled && config.dnsmasq.sync_schedule !== '') {
      const schedule = startLeaseSchedule(createLeaseDeps(config, createExec(log), log), config, log.child({service: 'leases'}), nodeCron)
      services.push({name: 'lease sync', stop: () => schedule.stop()})
      log.info({schedule: config.dnsmasq.sync_schedule}, 'lease sync scheduled')
    }
  } catch (error) {
    for (const s of services) await s.stop()
    throw error
  }
  return services
}
