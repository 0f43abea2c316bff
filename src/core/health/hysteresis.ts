/**
 * rise/fall hysteresis, as keepalived's vrrp_script counts it: `fall` consecutive failed
 * cycles make a healthy node unhealthy, `rise` consecutive good cycles make it healthy again.
 * The first sample decides at once (there is nothing to smooth yet). Pure.
 */
export type HealthStatus = 'unknown' | 'healthy' | 'unhealthy'

export type Hysteresis = {
  status: HealthStatus
  /** Consecutive samples against the current status. */
  streak: number
}

export const INITIAL_HYSTERESIS: Hysteresis = {status: 'unknown', streak: 0}

export function nextHysteresis(h: Hysteresis, sampleOk: boolean, limits: {rise: number; fall: number}): Hysteresis {
  if (h.status === 'unknown') return {status: sampleOk ? 'healthy' : 'unhealthy', streak: 0}
  const agrees = (h.status === 'healthy') === sampleOk
  if (agrees) return {status: h.status, streak: 0}
  const streak = h.streak + 1
  const needed = h.status === 'healthy' ? limits.fall : limits.rise
  if (streak >= needed) return {status: sampleOk ? 'healthy' : 'unhealthy', streak: 0}
  return {status: h.status, streak}
}

/** A node that is not probing (standby, maintenance) counts as healthy with no pending streak,
 * so after a promotion it takes `fall` failed cycles, not one, to give the role up again. */
export const STANDBY_HYSTERESIS: Hysteresis = {status: 'healthy', streak: 0}
