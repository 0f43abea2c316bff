import type {HealthStatusFile, MaintenanceFlag} from '../ports.js'
import type {Config} from '../config/schema.js'
import type {TrackState} from '../core/health/track-value.js'
import {healthStatusPath, maintenanceFilePath, trackFilePath} from './health-settings.js'

export type HealthView = {
  maintenance: {on: boolean; since?: number; by?: string; file: string}
  /** What keepalived reads now; undefined value: no file (keepalived then uses its init_file value). */
  track: {file: string; value?: number; state?: TrackState}
  /** The daemon monitor's last verdict, and whether the monitor that wrote it is still running. */
  monitor?: HealthStatusFile & {running: boolean}
}

export type HealthViewDeps = {
  readMaintenance(path: string): MaintenanceFlag | undefined
  readTrack(path: string): {value: number; state: TrackState} | undefined
  readStatus(path: string): HealthStatusFile | undefined
  alive(pid: number): boolean
}

/** Health as `status` shows it: maintenance flag, the track_file's value, the monitor's verdict. */
export function readHealthView(config: Config, deps: HealthViewDeps): HealthView {
  const file = maintenanceFilePath(config)
  const flag = deps.readMaintenance(file)
  const trackFile = trackFilePath(config)
  const track = deps.readTrack(trackFile)
  const monitor = deps.readStatus(healthStatusPath(config))
  return {
    maintenance: {on: Boolean(flag), ...(flag?.since ? {since: flag.since} : {}), ...(flag?.by ? {by: flag.by} : {}), file},
    track: {file: trackFile, ...(track ? {value: track.value, state: track.state} : {})},
    ...(monitor ? {monitor: {...monitor, running: deps.alive(monitor.pid)}} : {}),
  }
}
