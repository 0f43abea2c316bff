/**
 * The value ha-tool writes to keepalived's track_file (DESIGN.md section 4). keepalived reads
 * the file as a number on every change; with `weight 0` any non-zero value puts the instance
 * into FAULT, with a non-zero weight the value times the weight is added to the priority.
 */
export const TRACK_OK = 0
export const TRACK_UNHEALTHY = 1
/** Larger than TRACK_UNHEALTHY, so with a negative weight maintenance demotes further than a failed check. */
export const TRACK_MAINTENANCE = 2

/** 3: the failback gate holds the node out of MASTER (core/failback/gate.ts). */
export const TRACK_FAILBACK_GATE = 3

export type TrackState = 'ok' | 'unhealthy' | 'maintenance' | 'failback-gate'

export function trackValue(s: {maintenance: boolean; healthy: boolean}): number {
  if (s.maintenance) return TRACK_MAINTENANCE
  return s.healthy ? TRACK_OK : TRACK_UNHEALTHY
}

/** The file's content: the number and a newline (keepalived parses it with strtol). */
export function renderTrackValue(value: number): string {
  return `${value}\n`
}

/** What a track_file's text means, for status; undefined when it is not a number keepalived would read. */
export function parseTrackValue(text: string): {value: number; state: TrackState} | undefined {
  const m = /^\s*(-?\d+)\s*$/.exec(text)
  if (!m) return undefined
  const value = Number(m[1])
  return {value, state: value === TRACK_OK ? 'ok' : value === TRACK_MAINTENANCE ? 'maintenance' : value === TRACK_FAILBACK_GATE ? 'failback-gate' : 'unhealthy'}
}
