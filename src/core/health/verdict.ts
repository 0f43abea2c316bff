import type {ProbeKind} from './targets.js'

/** What one probe found. `skipped`: not run or cut short because the verdict was already decided. */
export type ProbeResult = {
  target: string
  kind: ProbeKind
  ok: boolean
  ms: number
  detail: string
  skipped?: boolean
}

export type Verdict = {
  healthy: boolean
  ok: number
  total: number
  minOk: number
  /** One line for stderr, keepalived's log, and status. */
  reason: string
}

/**
 * The quorum: healthy when at least `minOk` targets answered, so one dead target among
 * several cannot fail a pair over. Pure; results may include probes skipped once decided.
 */
export function quorum(results: readonly ProbeResult[], minOk: number): Verdict {
  const total = results.length
  const ok = results.filter((r) => r.ok).length
  const healthy = ok >= minOk
  const failed = results.filter((r) => !r.ok && !r.skipped)
  const failures = failed.map((r) => `${r.target} ${r.detail}`).join('; ')
  const counted = `${ok}/${total} targets answered`
  const reason = healthy
    ? `healthy: ${counted} (min_ok ${minOk})${failures ? `; failed: ${failures}` : ''}`
    : `unhealthy: ${counted}, need ${minOk}${failures ? `: ${failures}` : ''}`
  return {healthy, ok, total, minOk, reason}
}

/**
 * Whether the verdict is already certain with `pending` probes still running: enough answered,
 * or too few can still answer. Lets a check stop as soon as the outcome cannot change.
 */
export function decided(ok: number, failed: number, total: number, minOk: number): boolean {
  return ok >= minOk || total - failed < minOk
}
