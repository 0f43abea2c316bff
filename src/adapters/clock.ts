/** Time as an injectable dependency, so core code and tests never read the wall clock themselves. */
export type Clock = {
  /** Wall-clock milliseconds since the epoch. */
  now(): number
  /** Monotonic milliseconds, for durations. */
  mono(): number
  sleep(ms: number): Promise<void>
}

/**
 * Monotonic milliseconds from process.hrtime. Not performance.now(): its first call loads
 * perf_hooks, ~0.6-1.3 ms on the paths keepalived runs every second.
 */
export const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6

export const systemClock: Clock = {
  now: () => Date.now(),
  mono: monoMs,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}
