import type {HealthStatusFile, Logger, MaintenanceFlag} from '../ports.js'
import type {Config} from '../config/schema.js'
import {createCancel} from '../core/health/cancel.js'
import {type Hysteresis, INITIAL_HYSTERESIS, nextHysteresis, STANDBY_HYSTERESIS} from '../core/health/hysteresis.js'
import {trackValue} from '../core/health/track-value.js'
import {trackWithGate} from '../core/failback/gate.js'
import {healthStatusPath, maintenanceFilePath, monitorSettings, trackFilePath} from './health-settings.js'
import {type CheckDeps, type CheckReport, runCheck} from './run-check.js'
import type {ProbeResult} from '../core/health/verdict.js'

export type HealthMonitorDeps = CheckDeps & {
  now(): number
  readMaintenance(path: string): MaintenanceFlag | undefined
  writeTrack(path: string, value: number): void
  writeStatus(path: string, status: HealthStatusFile): void
  /** After every cycle: lets a prober with long-lived probes (ping streams) end the unused ones. */
  endCycle?(): void
  /** At stop: ends every long-lived probe. */
  close?(): void
  /** The failback gate (app/failback-gate.ts): closed holds the node out of MASTER through the same track_file. */
  gateOpen?(): boolean
}

export type HealthMonitor = {
  stop(): Promise<void>
  /** Resolves after the next completed cycle (tests, and the daemon's start-up log). */
  nextCycle(): Promise<HealthStatusFile>
  /**
   * Runs a cycle now instead of at the next interval: the daemon calls it after a transition,
   * so a node that just became BACKUP stops its WAN probes (and a new MASTER starts them) at once.
   */
  poke(): void
  /** The last cycle's probe results (metrics); empty before the first cycle, in standby and in maintenance. */
  lastProbes(): readonly ProbeResult[]
}

/**
 * The resident health monitor of `ha-tool daemon`: one check cycle every health.interval_ms,
 * smoothed by rise/fall, its verdict written to keepalived's track_file (0 healthy, 1 unhealthy,
 * 2 maintenance) only when it changes, so keepalived needs no process per check and re-reads
 * the file only on a real change. The maintenance flag is read every cycle, so it holds across
 * daemon restarts. A BACKUP with WAN-path probes is "standby" (healthy, no probes).
 * Throws a config error (78) at start when the health settings are inconsistent.
 */
export function startHealthMonitor(deps: HealthMonitorDeps, config: Config, log: Logger): HealthMonitor {
  const settings = monitorSettings(config)
  const track = trackFilePath(config)
  const maintenancePath = maintenanceFilePath(config)
  const statusPath = healthStatusPath(config)
  const stopping = createCancel()
  let hyst: Hysteresis = INITIAL_HYSTERESIS
  let written: number | undefined
  let last: HealthStatusFile | undefined
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let waiters: Array<(s: HealthStatusFile) => void> = []
  let pokeAfter = false
  let probes: readonly ProbeResult[] = []

  const cycle = async (): Promise<void> => {
    let status: HealthStatusFile['status']
    let reason: string
    if (deps.readMaintenance(maintenancePath)) {
      hyst = STANDBY_HYSTERESIS
      status = 'maintenance'
      reason = `maintenance on (${maintenancePath}): demoted`
      probes = []
    } else {
      let report: CheckReport
      try {
        report = await runCheck(settings, deps, stopping)
      } catch (error) {
        report = {healthy: false, status: 'unhealthy', reason: `unhealthy: check failed: ${(error as Error).message}`, path: 'main', ok: 0, total: 0, minOk: settings.minOk, durationMs: 0, results: []}
      }
      if (stopping.cancelled) return
      probes = report.results
      if (report.status === 'standby' || report.status === 'unknown') {
        hyst = STANDBY_HYSTERESIS
        status = report.status
      } else {
        hyst = nextHysteresis(hyst, report.healthy, settings)
        status = hyst.status === 'unhealthy' ? 'unhealthy' : 'healthy'
      }
      reason = report.reason
      if (hyst.streak > 0) reason += ` (${hyst.streak} of ${hyst.status === 'healthy' ? settings.fall : settings.rise} cycles to change)`
      log.debug({status, reason, ms: report.durationMs}, 'health cycle')
      // `maintenance on` may have landed while the probes ran: it wins.
      if (deps.readMaintenance(maintenancePath)) {
        status = 'maintenance'
        reason = `maintenance on (${maintenancePath}): demoted`
      }
    }
    const value = trackWithGate(trackValue({maintenance: status === 'maintenance', healthy: status !== 'unhealthy'}), deps.gateOpen?.() ?? true)
    const now = deps.now()
    const changed = last === undefined || last.status !== status || last.value !== value
    const next: HealthStatusFile = {version: 1, status, reason, value, since: changed ? now : last!.since, at: now, pid: process.pid}
    try {
      if (value !== written) {
        deps.writeTrack(track, value)
        written = value
        log.info({track, value, status, reason}, `health: ${status}, track_file ${value}`)
      }
      if (changed) deps.writeStatus(statusPath, next)
    } catch (error) {
      written = undefined
      log.error({track, err: (error as Error).message}, 'health: cannot write the track_file; keepalived keeps the last value')
    }
    last = next
    deps.endCycle?.()
    const w = waiters
    waiters = []
    for (const resolve of w) resolve(next)
  }

  const schedule = (delay: number) => {
    if (stopping.cancelled) return
    timer = setTimeout(() => {
      const started = deps.mono()
      running = cycle().finally(() => {
        running = undefined
        // A poke during the cycle means the role changed while it ran: look again at once.
        schedule(pokeAfter ? 0 : Math.max(0, settings.intervalMs - (deps.mono() - started)))
        pokeAfter = false
      })
    }, delay)
  }
  log.info({targets: settings.targets.map((t) => t.text), min_ok: settings.minOk, interval_ms: settings.intervalMs, rise: settings.rise, fall: settings.fall, track}, 'health monitor started')
  schedule(0)

  return {
    async stop() {
      stopping.cancel()
      clearTimeout(timer)
      await running
      deps.close?.()
      for (const resolve of waiters) resolve(last ?? {version: 1, status: 'unknown', reason: 'stopped', value: 0, since: 0, at: 0, pid: process.pid})
      waiters = []
    },
    nextCycle: () => new Promise((resolve) => { waiters.push(resolve) }),
    lastProbes: () => probes,
    poke() {
      if (running || stopping.cancelled) { pokeAfter = true; return }
      clearTimeout(timer)
      schedule(0)
    },
  }
}
