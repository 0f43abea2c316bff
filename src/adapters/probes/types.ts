import type {Cancel} from '../../core/health/cancel.js'
import type {Target} from '../../core/health/targets.js'

/** The WAN path a probe must take: its address is bound as source (see core/health/path.ts). */
export type ProbeSource = {dev: string; v4?: string; v6?: string}

export type ProbeOptions = {
  /** This probe's own timeout; the probe settles (ok: false) by then at the latest. */
  timeoutMs: number
  /** Aborted when the verdict is decided, the overall deadline passes, or on SIGTERM. */
  signal: Cancel
  source?: ProbeSource
  httpStatus: readonly [number, number]
}

/**
 * ok, how long it took, and a few words for the reason line ("12.3 ms", "refused", "timed out
 * after 500 ms"). `cancelled`: cut short by the signal, so it says nothing about the target.
 */
export type ProbeOutcome = {ok: boolean; ms: number; detail: string; cancelled?: true}

export type Prober = (target: Target, opts: ProbeOptions) => Promise<ProbeOutcome>

/** The source address for a host, or why there is none. Hostnames are probed over IPv4. */
export function sourceFor(source: ProbeSource | undefined, family: 4 | 6): {address?: string; error?: string} {
  if (!source) return {}
  const address = family === 6 ? source.v6 : source.v4
  return address ? {address} : {error: `WAN ${source.dev} has no IPv${family} address`}
}

/** Settles a probe once: on its result, its timeout, or its abort; `cleanup` releases sockets and children. */
export function settleOnce(opts: ProbeOptions, started: number, cleanup: () => void): {
  promise: Promise<ProbeOutcome>
  done(ok: boolean, detail: string): void
} {
  let resolve!: (o: ProbeOutcome) => void
  const promise = new Promise<ProbeOutcome>((r) => { resolve = r })
  let settled = false
  const done = (ok: boolean, detail: string, cancelled = false) => {
    if (settled) return
    settled = true
    clearTimeout(timer)
    unsubscribe()
    cleanup()
    resolve({ok, ms: round(monoMs() - started), detail, ...(cancelled ? {cancelled} : {})})
  }
  const timer = setTimeout(() => done(false, `timed out after ${opts.timeoutMs} ms`), opts.timeoutMs)
  const unsubscribe = opts.signal.onCancel(() => done(false, 'cancelled', true))
  return {promise, done}
}

export const round = (ms: number) => Math.round(ms * 10) / 10

/**
 * Monotonic milliseconds. Not monoMs(): its first call loads perf_hooks, ~0.6 ms on
 * the path keepalived runs every second; process.hrtime.bigint() is already there.
 */
export const monoMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000

/** errno codes in the words of a reason line. */
export function describeError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED': return 'refused'
    case 'ECONNRESET': return 'reset'
    case 'EHOSTUNREACH': return 'host unreachable'
    case 'ENETUNREACH': return 'network unreachable'
    case 'EADDRNOTAVAIL': return 'source address not available'
    case 'ENOTFOUND': return 'name not found'
    case 'ETIMEOUT': case 'ETIMEDOUT': return 'timed out'
    default: return (error.message || String(error.code)).split('\n')[0]
  }
}
