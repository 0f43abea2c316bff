import {existsSync, unlinkSync} from 'node:fs'
import {parseTrackValue, renderTrackValue, type TrackState} from '../core/health/track-value.js'
import {readTextOrUndefined, writeFileAtomic} from './files.js'

/**
 * The files health checks share with keepalived, `maintenance` and `status`, all under
 * state.dir by default: the track_file keepalived watches, the persisted maintenance flag,
 * and the monitor's last verdict. Every write is atomic (keepalived re-reads the track_file
 * on each change and must never see a half-written number).
 */
export function fileExists(path: string): boolean {
  return existsSync(path)
}

/** Not fsynced (the monitor may write it every cycle; it is rewritten at start anyway): atomic is what matters. */
export function writeTrackFile(path: string, value: number): void {
  writeFileAtomic(path, renderTrackValue(value), {mode: 0o644, mkdir: true, durable: false})
}

export function readTrackFile(path: string): {value: number; state: TrackState} | undefined {
  const text = readTextOrUndefined(path)
  return text === undefined ? undefined : parseTrackValue(text)
}

export type MaintenanceFlag = {on: true; since: number; by?: string}

/** The persisted maintenance flag; a file that is there but unreadable as JSON still means on (fail safe: stay demoted). */
export function readMaintenanceFlag(path: string): MaintenanceFlag | undefined {
  const text = readTextOrUndefined(path)
  if (text === undefined) return undefined
  try {
    const data = JSON.parse(text) as Partial<MaintenanceFlag>
    return {on: true, since: typeof data.since === 'number' ? data.since : 0, ...(typeof data.by === 'string' ? {by: data.by} : {})}
  } catch {
    return {on: true, since: 0}
  }
}

export function writeMaintenanceFlag(path: string, flag: MaintenanceFlag): void {
  writeFileAtomic(path, `${JSON.stringify(flag)}\n`, {mode: 0o644, mkdir: true})
}

/** Removes the flag; true when it was there. */
export function clearMaintenanceFlag(path: string): boolean {
  try {
    unlinkSync(path)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}

/** The monitor's last verdict, as status shows it. */
export type HealthStatusFile = {
  version: 1
  status: 'healthy' | 'unhealthy' | 'standby' | 'maintenance' | 'unknown'
  reason: string
  /** The value written to the track_file. */
  value: number
  /** Wall-clock ms when this status began, and of the cycle that wrote it. */
  since: number
  at: number
  pid: number
}

export function readHealthStatusFile(path: string): HealthStatusFile | undefined {
  const text = readTextOrUndefined(path)
  if (text === undefined) return undefined
  try {
    const data = JSON.parse(text) as HealthStatusFile
    return data && data.version === 1 ? data : undefined
  } catch {
    return undefined
  }
}

export function writeHealthStatusFile(path: string, s: HealthStatusFile): void {
  writeFileAtomic(path, `${JSON.stringify(s)}\n`, {mode: 0o644, mkdir: true, durable: false})
}
