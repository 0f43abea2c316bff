import type {ProbeSource, Prober} from '../ports.js'
import {type Cancel, createCancel} from '../core/health/cancel.js'
import {probePath, type WanAddresses} from '../core/health/path.js'
import {decided, type ProbeResult, quorum} from '../core/health/verdict.js'
import type {Role} from '../core/transition/types.js'
import type {CheckSettings} from './health-settings.js'

export type CheckDeps = {
  probe: Prober
  /** This node's VRRP role, and where it was read (for the reason line). */
  role(): {role: Role | undefined; source: string}
  /** Asked when role() knows none (nothing recorded yet): keepalived over D-Bus, undefined when it cannot tell. */
  keepalivedRole?(): Promise<Role | undefined>
  wanAddresses(dev: string): WanAddresses
  /** Monotonic ms, for durations and the deadline. */
  mono(): number
}

export type CheckReport = {
  healthy: boolean
  /** standby: a non-MASTER with WAN-path probes, healthy without probing (see core/health/path.ts). */
  status: 'healthy' | 'unhealthy' | 'standby' | 'unknown'
  reason: string
  path: 'wan' | 'main' | 'standby' | 'unknown'
  role?: Role
  ok: number
  total: number
  minOk: number
  durationMs: number
  results: ProbeResult[]
}

/**
 * One check run: every target probed in parallel, each under its own timeout and all under the
 * overall deadline, stopping as soon as the quorum is decided (a healthy run with min_ok 1
 * returns on the first answer). `signal` (SIGTERM) cuts it short: the outcome is unhealthy,
 * as keepalived counts a killed script, but every child and socket is released first.
 */
export async function runCheck(s: CheckSettings, deps: CheckDeps, signal?: Cancel): Promise<CheckReport> {
  const started = deps.mono()
  const via = s.via === 'auto' ? (s.wanInterface ? 'wan' : 'main') : s.via
  let who = via === 'wan' ? deps.role() : {role: undefined, source: ''}
  if (via === 'wan' && who.role === undefined && deps.keepalivedRole) {
    try {
      const role = await deps.keepalivedRole()
      if (role) who = {role, source: 'keepalived over D-Bus'}
    } catch { /* cannot tell: the unknown rule below */ }
  }
  const path = probePath({via, role: who.role, wanInterface: s.wanInterface, roleSource: who.source, wan: via === 'wan' && who.role === 'MASTER' ? deps.wanAddresses(s.wanInterface) : undefined})
  const base = {role: who.role, minOk: s.minOk, total: s.targets.length}
  if (path.mode === 'standby' || path.mode === 'unknown') {
    return {...base, healthy: true, status: path.mode, reason: path.reason, path: path.mode, ok: 0, durationMs: ms(deps, started), results: []}
  }
  if (s.targets.length === 0) {
    return {...base, healthy: true, status: 'healthy', reason: 'healthy: no targets configured', path: path.mode, ok: 0, durationMs: ms(deps, started), results: []}
  }
  const source: ProbeSource | undefined = path.mode === 'wan' ? {dev: path.dev, v4: path.v4, v6: path.v6} : undefined

  const stop = createCancel()
  let why: 'decided' | 'deadline' | 'signal' | undefined
  const abort = (reason: typeof why) => { if (!stop.cancelled) { why = reason; stop.cancel() } }
  const unsubscribe = signal?.onCancel(() => abort('signal'))
  let deadline: NodeJS.Timeout | undefined

  let ok = 0
  let failed = 0
  try {
    const running = s.targets.map(async (target): Promise<ProbeResult> => {
      const r = await deps.probe(target, {timeoutMs: s.probeTimeoutMs, signal: stop, source, httpStatus: s.httpStatus})
      const cut = r.cancelled === true
      if (r.ok) ok++
      else if (!cut) failed++
      if (decided(ok, failed, s.targets.length, s.minOk)) abort('decided')
      if (!cut) return {target: target.text, kind: target.kind, ok: r.ok, ms: r.ms, detail: r.detail}
      if (why === 'decided') return {target: target.text, kind: target.kind, ok: false, ms: r.ms, detail: 'not needed (decided)', skipped: true}
      return {target: target.text, kind: target.kind, ok: false, ms: r.ms, detail: why === 'deadline' ? `timed out (deadline ${s.timeoutMs} ms)` : 'interrupted'}
    })
    // Armed after the probes' own timers, so a probe timing out at the deadline says so itself.
    deadline = setTimeout(() => abort('deadline'), s.timeoutMs)
    const results = await Promise.all(running)
    const v = quorum(results, s.minOk)
    const where = path.mode === 'wan' ? ` via WAN ${path.dev}` : ''
    // A run cut short by SIGTERM is a failure whatever had answered: keepalived counts it as one.
    const healthy = v.healthy && why !== 'signal'
    const reason = why === 'signal'
      ? `unhealthy${where}: interrupted by SIGTERM after ${Math.round(ms(deps, started))} ms (${v.ok}/${v.total} targets had answered)`
      : v.reason.replace(/^(healthy|unhealthy)/, `$1${where}`)
    return {...base, healthy, status: healthy ? 'healthy' : 'unhealthy', reason, path: path.mode, ok: v.ok, durationMs: ms(deps, started), results}
  } finally {
    clearTimeout(deadline)
    unsubscribe?.()
  }
}

const ms = (deps: CheckDeps, started: number) => Math.round((deps.mono() - started) * 10) / 10
