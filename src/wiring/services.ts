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
import {serveMetrics} from '../adapters/metrics-http.js'
import {writeMetricsTextfile} from '../adapters/metrics-textfile.js'
import {parseListen} from '../core/metrics/listen.js'
import type {ProbeResult} from '../core/health/verdict.js'
import {startMetricsService, type TransitionNote} from '../app/metrics/metrics-service.js'
import {collectStatus} from '../app/status.js'
import {createStatusDeps} from './status.js'

/**
 * Starts the daemon's resident services that the config enables: the health monitor writing
 * keepalived's track_file (health.monitor with targets) and the scheduled lease sync
 * (dnsmasq.enabled with a sync_schedule), and the metrics (metrics.textfile_dir or metrics.listen).
 * A config error in any stops the daemon at start.
 */
export type ServiceHooks = {
  /** Registers a function told of every transition the daemon runs (the metrics count them). */
  onTransition(fn: (t: TransitionNote) => void): void
}

export async function startDaemonServices(config: Config, log: Logger, hooks: ServiceHooks = {onTransition: () => {}}): Promise<DaemonService[]> {
  const services: DaemonService[] = []
  let probes: () => readonly ProbeResult[] = () => []
  try {
    if (config.health.monitor && config.health.targets.length > 0) {
      // The role the daemon last applied decides whether WAN-path probes run (a BACKUP's WAN is silent).
      const deps = createMonitorDeps(config.state.dir, config.health.interval_ms, () => readStateFile(config.state.dir)?.role)
      const monitor = startHealthMonitor(deps, config, log.child({service: 'health'}))
      services.push({name: 'health monitor', stop: () => monitor.stop(), afterTransition: () => monitor.poke()})
      probes = () => monitor.lastProbes()
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
    const {textfile_dir: dir, listen} = config.metrics
    if (dir !== '' || listen !== '') {
      const statusDeps = createStatusDeps(config, createExec(log))
      const at = listen === '' ? undefined : parseListen(listen)
      const metrics = await startMetricsService({
        collectStatus: () => collectStatus(statusDeps),
        probes: () => probes(),
        writeTextfile: dir === '' ? undefined : (text) => writeMetricsTextfile(dir, text),
        serve: at && !('error' in at) ? (render) => serveMetrics(at.host, at.port, render) : undefined,
        now: () => Date.now(),
        every: (ms, fn) => { const t = setInterval(fn, ms); t.unref(); return {stop: () => clearInterval(t)} },
        after: (ms, fn) => { setTimeout(fn, ms).unref() },
      }, config, log.child({service: 'metrics'}))
      hooks.onTransition((t) => metrics.count(t))
      services.push(metrics)
    }
  } catch (error) {
    for (const s of services) await s.stop()
    throw error
  }
  return services
}
