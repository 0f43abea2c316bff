// Fakes for the health use-cases: a prober whose answers and delays a test scripts, and
// in-memory files for the track_file, maintenance flag and status.
import type {HealthStatusFile, MaintenanceFlag} from '../../../src/adapters/health-files.js'
import type {ProbeOptions, ProbeOutcome} from '../../../src/adapters/probes/types.js'
import type {HealthMonitorDeps} from '../../../src/app/health-monitor.js'
import type {MaintenanceDeps} from '../../../src/app/maintenance.js'
import {parseTrackValue} from '../../../src/core/health/track-value.js'
import type {Target} from '../../../src/core/health/targets.js'
import type {Role} from '../../../src/core/transition/types.js'

export type Answer = {ok: boolean; afterMs?: number; detail?: string}

/** A prober answering per target text; without an answer it never answers (times out or is cancelled). */
export function fakeProber(answers: Record<string, Answer | undefined>) {
  const calls: Array<{target: string; opts: ProbeOptions}> = []
  const probe = (target: Target, opts: ProbeOptions): Promise<ProbeOutcome> => {
    calls.push({target: target.text, opts})
    const a = answers[target.text]
    return new Promise((resolve) => {
      const started = performance.now()
      const done = (ok: boolean, detail: string, cancelled = false) => { clearTimeout(t1); clearTimeout(t2); resolve({ok, ms: performance.now() - started, detail, ...(cancelled ? {cancelled} : {})}) }
      const t1 = a ? setTimeout(() => done(a.ok, a.detail ?? (a.ok ? 'reply' : 'no reply')), a.afterMs ?? 0) : undefined
      const t2 = setTimeout(() => done(false, `timed out after ${opts.timeoutMs} ms`), opts.timeoutMs)
      opts.signal.onCancel(() => done(false, 'cancelled', true))
    })
  }
  return {probe, calls}
}

export class MemFiles {
  files = new Map<string, string>()
  writes: Array<{path: string; text: string}> = []
  write(path: string, text: string) { this.files.set(path, text); this.writes.push({path, text}) }
  read(path: string) { return this.files.get(path) }
}

export function monitorDeps(files: MemFiles, answers: Record<string, Answer | undefined>, role: () => Role | undefined = () => 'MASTER'): HealthMonitorDeps & {calls: ReturnType<typeof fakeProber>['calls']; cycles: number} {
  const p = fakeProber(answers)
  const deps = {
    probe: p.probe,
    calls: p.calls,
    cycles: 0,
    role: () => ({role: role(), source: 'fake'}),
    wanAddresses: () => ({exists: true, v4: '198.51.100.10'}),
    mono: () => performance.now(),
    now: () => 1_700_000_000_000,
    readMaintenance: (path: string) => { const t = files.read(path); return t === undefined ? undefined : JSON.parse(t) as MaintenanceFlag },
    writeTrack: (path: string, value: number) => files.write(path, `${value}\n`),
    writeStatus: (path: string, s: HealthStatusFile) => files.write(path, JSON.stringify(s)),
    endCycle: () => { deps.cycles++ },
    // Intervals collapse: the next cycle runs as soon as the event loop turns, so tests wait for cycles, not time.
    after: (_ms: number, fn: () => void) => {
      const h = setImmediate(fn)
      return () => clearImmediate(h)
    },
  }
  return deps
}

export function maintenanceDeps(files: MemFiles, alive = true): MaintenanceDeps {
  return {
    now: () => 1_700_000_000_000,
    readMaintenance: (path) => { const t = files.read(path); return t === undefined ? undefined : JSON.parse(t) as MaintenanceFlag },
    writeMaintenance: (path, flag) => files.write(path, JSON.stringify(flag)),
    clearMaintenance: (path) => files.files.delete(path),
    writeTrack: (path, value) => files.write(path, `${value}\n`),
    readTrack: (path) => { const t = files.read(path); return t === undefined ? undefined : parseTrackValue(t) },
    readStatus: (path) => { const t = files.read(path); return t === undefined ? undefined : JSON.parse(t) as HealthStatusFile },
    alive: () => alive,
  }
}
