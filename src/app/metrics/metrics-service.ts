import type {Logger} from '../../ports.js'
import type {Config} from '../../config/schema.js'
import {errorLine} from '../../core/errors.js'
import type {ProbeResult} from '../../core/health/verdict.js'
import {countTransition, type DaemonCounters, NO_COUNTS} from '../../core/metrics/counters.js'
import {renderExposition} from '../../core/metrics/exposition.js'
import type {DaemonService} from '../daemon.js'
import type {NodeStatus} from '../status.js'
import {nodeMetrics} from './node-metrics.js'

/** A transition the daemon ran: who asked for it, and its steps (none when it threw). */
export type TransitionNote = {role: string; source: string; steps: ReadonlyArray<{kind: string; status: string}>}

export type MetricsServiceDeps = {
  /** The node as `status` sees it (role, WAN, conntrackd, leases, health, maintenance). */
  collectStatus(): Promise<NodeStatus>
  /** The health monitor's last probe results. */
  probes(): readonly ProbeResult[]
  /** metrics.textfile_dir set: write the text there (atomically); returns the path. */
  writeTextfile?(text: string): string
  /** metrics.listen set: serve the latest text over HTTP. */
  serve?(render: () => string): Promise<{address: string; close(): Promise<void>}>
  now(): number
  every(ms: number, fn: () => void): {stop(): void}
  /** Runs fn once after ms (the refresh after a transition waits, so it never competes with the next one). */
  after(ms: number, fn: () => void): void
}

/** A transition's refresh waits this long: a flap's transitions run first, and the budget of each stays intact. */
export const AFTER_TRANSITION_MS = 250

/**
 * The daemon's metrics: collected every metrics.interval_ms and right after each transition, rendered once,
 * then written to the textfile and/or handed to the HTTP endpoint (a scrape never waits on a collection).
 * A failed write is logged and retried at the next interval; it never stops the daemon.
 */
export async function startMetricsService(deps: MetricsServiceDeps, config: Config, log: Logger): Promise<DaemonService & {count(t: TransitionNote): void; refresh(): Promise<void>; text(): string}> {
  const startedAt = deps.now()
  let counters: DaemonCounters = NO_COUNTS
  let text = ''
  let running: Promise<void> | undefined
  let again = false
  let writeFailed = false
  let stopped = false

  const collect = async () => {
    do {
      again = false
      const status = await deps.collectStatus()
      text = renderExposition(nodeMetrics({status, counters, probes: deps.probes(), startedAt}))
      if (deps.writeTextfile) {
        try {
          const path = deps.writeTextfile(text)
          if (writeFailed) log.info({path}, 'metrics: textfile written again')
          writeFailed = false
        } catch (error) {
          if (!writeFailed) log.error({dir: config.metrics.textfile_dir, error: errorLine(error)}, 'metrics: cannot write the textfile')
          writeFailed = true
        }
      }
    } while (again)
  }
  // One collection at a time; a request during one runs another right after it (the newest facts win).
  const refresh = (): Promise<void> => {
    if (stopped) return Promise.resolve()
    if (running) { again = true; return running }
    running = collect().catch((error) => { log.warn({error: errorLine(error)}, 'metrics: collection failed') }).finally(() => { running = undefined })
    return running
  }

  const endpoint = deps.serve ? await deps.serve(() => text) : undefined
  if (endpoint) log.info({url: `http://${endpoint.address}/metrics`}, 'metrics endpoint listening')
  const timer = deps.every(config.metrics.interval_ms, () => { void refresh() })
  void refresh()
  return {
    name: 'metrics',
    refresh,
    text: () => text,
    /** Every transition the daemon runs (the wiring wraps its transition function with this). */
    count(t: TransitionNote) {
      counters = countTransition(counters, t)
    },
    afterTransition() {
      deps.after(AFTER_TRANSITION_MS, () => { void refresh() })
    },
    async stop() {
      stopped = true
      timer.stop()
      await running
      await endpoint?.close()
    },
  }
}
