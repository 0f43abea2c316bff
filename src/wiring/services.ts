import {createNodeCron} from '../adapters/cron.js'
import {createExec} from '../adapters/exec.js'
import {gateFilePath, writeGateFile} from '../adapters/gate-file.js'
import {readHealthStatusFile, readMaintenanceFlag, writeTrackFile} from '../adapters/health-files.js'
import {peerFromConfig} from '../adapters/peer.js'
import {trackWithGate} from '../core/failback/gate.js'
import {TRACK_MAINTENANCE, TRACK_OK, TRACK_UNHEALTHY} from '../core/health/track-value.js'
import {gateCheck} from '../app/failback-check.js'
import {type FailbackGate, startFailbackGate} from '../app/failback-gate.js'
import {healthStatusPath, maintenanceFilePath, trackFilePath} from '../app/health-settings.js'
import {conntrackdSettings} from '../app/steps/conntrack.js'
import {realConntrackBackend} from './conntrack.js'
import {createMonitorDeps} from './health.js'
import type {Logger} from '../adapters/log.js'
import {readStateFile} from '../adapters/state-file.js'
import type {Config} from '../config/schema.js'
import type {DaemonService} from '../app/daemon.js'
import {startHealthMonitor} from '../app/health-monitor.js'
import {startLeaseSchedule} from '../app/leases/lease-schedule.js'
import {createLeaseDeps, startLeaseFileWatch, startLeaseReplication} from './leases.js'
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

export async function startDaemonServices(config: Config, log: Logger, hooks: ServiceHooks = {onTransition: () => {}}, env: NodeJS.ProcessEnv = process.env): Promise<DaemonService[]> {
  const services: DaemonService[] = []
  let probes: () => readonly ProbeResult[] = () => []
  try {
    // The gate first: a returning node must be held out of MASTER before anything else runs.
    let poke: (() => void) | undefined
    const gate = startGate(config, log.child({service: 'failback'}), env, () => poke?.())
    services.push({name: 'failback gate', stop: () => gate.stop(), afterTransition: (role) => gate.afterTransition(role)})
    if (config.health.monitor && config.health.targets.length > 0) {
      // The role the daemon last applied decides whether WAN-path probes run (a BACKUP's WAN is silent).
      const deps = createMonitorDeps(config.state.dir, config.health.interval_ms, () => readStateFile(config.state.dir)?.role,
        config.keepalived.dbus ? {instance: config.keepalived.instance, timeoutMs: config.wan.dbus_timeout_ms} : undefined)
      const monitor = startHealthMonitor({...deps, gateOpen: () => gate.isOpen()}, config, log.child({service: 'health'}))
      poke = () => monitor.poke()
      services.push({name: 'health monitor', stop: () => monitor.stop(), afterTransition: () => monitor.poke()})
      probes = () => monitor.lastProbes()
    }
    {
      // Lease changes the hook queues go to the peer over one held ssh channel (docs/leases.md). Always
      // on: dnsmasq's dhcp-script, not this config, decides whether the hook runs (the split-range pair
      // keeps dnsmasq serving on both nodes with dnsmasq.enabled = false), and an empty queue costs a
      // directory watch; the channel opens only when something is queued.
      const replication = startLeaseReplication(config, log.child({service: 'lease replication'}))
      services.push({name: 'lease replication', stop: () => replication.stop()})
      // dnsmasq's lease changes read from its lease file, not from one hook process per change.
      if (!config.dnsmasq.leasefile_ro) {
        const watch = startLeaseFileWatch(config, log.child({service: 'lease watch'}))
        services.push({name: 'lease watch', stop: () => watch.stop()})
      }
    }
    if (config.dnsmasq.enabled && config.dnsmasq.sync_schedule !== '') {
      const schedule = startLeaseSchedule(createLeaseDeps(config, createExec(log), log), config, log.child({service: 'leases'}), createNodeCron(log.child({service: 'leases'})))
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

/** Test-only: HA_TOOL_TEST_FAILBACK_GATE=open starts the gate open (the lab proves the gate matters by switching it off). */
export const FORCE_GATE_ENV = 'HA_TOOL_TEST_FAILBACK_GATE'

/**
 * The failback gate with its real adapters. Each change is persisted for status and written to
 * the track_file at once, combined with the health verdict (maintenance flag, the monitor's last
 * verdict), then the monitor is poked so its next value agrees.
 */
function startGate(config: Config, log: Logger, env: NodeJS.ProcessEnv, poke: () => void): FailbackGate {
  const c = config.conntrackd
  const exec = createExec(log)
  const peer = peerFromConfig(config, log)
  const backend = realConntrackBackend(conntrackdSettings(config), exec, log, peer)
  const track = trackFilePath(config)
  const healthValue = (): number => {
    if (readMaintenanceFlag(maintenanceFilePath(config))) return TRACK_MAINTENANCE
    const h = readHealthStatusFile(healthStatusPath(config))
    return h?.pid === process.pid && h.status === 'unhealthy' ? TRACK_UNHEALTHY : TRACK_OK
  }
  const why = !c.enabled ? 'conntrackd.enabled = false' : !c.failback_gate ? 'conntrackd.failback_gate = false' : !c.verify_failback ? 'conntrackd.verify_failback = false' : undefined
  return startFailbackGate({
    log,
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    requestResync: async () => { await backend.client().request('request-resync') },
    check: () => gateCheck(backend, peer, c.sync_tolerance_percent),
    changed: (state) => {
      writeGateFile(gateFilePath(config.state.dir), state)
      if (why === undefined) writeTrackFile(track, trackWithGate(healthValue(), state.open))
      poke()
    },
  }, {enabled: why === undefined, why, forcedOpen: env[FORCE_GATE_ENV] === 'open', timeoutMs: c.failback_timeout_ms, pollMs: GATE_POLL_MS, role: readStateFile(config.state.dir)?.role})
}

const GATE_POLL_MS = 500
