import type {HealthStatusFile, Logger, MaintenanceFlag} from '../ports.js'
import type {Config} from '../config/schema.js'
import {TRACK_MAINTENANCE, TRACK_OK, TRACK_UNHEALTHY, type TrackState} from '../core/health/track-value.js'
import {gateFilePath, trackWithGate} from '../core/failback/gate.js'
import {healthStatusPath, maintenanceFilePath, trackFilePath} from './health-settings.js'

export type MaintenanceDeps = {
  now(): number
  readMaintenance(path: string): MaintenanceFlag | undefined
  writeMaintenance(path: string, flag: MaintenanceFlag): void
  clearMaintenance(path: string): boolean
  writeTrack(path: string, value: number): void
  readTrack(path: string): {value: number; state: TrackState} | undefined
  readStatus(path: string): HealthStatusFile | undefined
  /** Whether a process with this pid is alive (the monitor that wrote the status file). */
  alive(pid: number): boolean
  /** The daemon's failback gate file, if any (a closed gate keeps the node out of MASTER after maintenance too). */
  readGate?(path: string): {open: boolean; pid: number} | undefined
}

export type MaintenanceResult = {
  maintenance: boolean
  /** False when the node already was in the asked state. */
  changed: boolean
  since?: number
  trackFile: string
  value: number
  flagFile: string
}

/**
 * `maintenance on`: persists the flag (so the daemon's monitor keeps the node demoted across
 * restarts) and writes the track_file value that demotes the node at once, monitor or not.
 */
export function maintenanceOn(config: Config, deps: MaintenanceDeps, log: Logger, by?: string): MaintenanceResult {
  const flagFile = maintenanceFilePath(config)
  const trackFile = trackFilePath(config)
  const had = deps.readMaintenance(flagFile)
  const flag: MaintenanceFlag = had ?? {on: true, since: deps.now(), ...(by ? {by} : {})}
  if (!had) deps.writeMaintenance(flagFile, flag)
  deps.writeTrack(trackFile, TRACK_MAINTENANCE)
  log.info({flagFile, trackFile, value: TRACK_MAINTENANCE}, 'maintenance on')
  return {maintenance: true, changed: !had, since: flag.since, trackFile, value: TRACK_MAINTENANCE, flagFile}
}

/**
 * `maintenance off`: removes the flag and re-admits the node. The track_file gets the running
 * monitor's current verdict (so an unhealthy node is not briefly offered as healthy), or 0
 * when no monitor is running (health is then keepalived's track_script's business).
 */
export function maintenanceOff(config: Config, deps: MaintenanceDeps, log: Logger): MaintenanceResult {
  const flagFile = maintenanceFilePath(config)
  const trackFile = trackFilePath(config)
  const had = deps.clearMaintenance(flagFile)
  const monitor = deps.readStatus(healthStatusPath(config))
  const monitorUnhealthy = monitor !== undefined && monitor.status === 'unhealthy' && deps.alive(monitor.pid)
  const gate = deps.readGate?.(gateFilePath(config.state.dir))
  const gateOpen = !(gate && !gate.open && deps.alive(gate.pid))
  const value = trackWithGate(monitorUnhealthy ? TRACK_UNHEALTHY : TRACK_OK, gateOpen)
  const current = deps.readTrack(trackFile)
  if (current?.value !== value) deps.writeTrack(trackFile, value)
  log.info({flagFile, trackFile, value}, 'maintenance off')
  return {maintenance: false, changed: had || current?.value === TRACK_MAINTENANCE, trackFile, value, flagFile}
}
