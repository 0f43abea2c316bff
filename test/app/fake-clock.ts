/** A clock the test advances by hand: timers fire in order of their due time, promises settle in between. */
export function fakeClock(start = 1_000_000) {
  let now = start
  let seq = 0
  let timers: Array<{at: number; seq: number; fn: () => void}> = []
  /** Lets promise chains (and setImmediate callbacks of fakes) run. */
  const flush = async () => { for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r)) }
  return {
    now: () => now,
    after(ms: number, fn: () => void): () => void {
      const t = {at: now + ms, seq: seq++, fn}
      timers.push(t)
      return () => { timers = timers.filter((x) => x !== t) }
    },
    flush,
    /** Moves time forward by ms, firing every timer due on the way. */
    async advance(ms: number): Promise<void> {
      const end = now + ms
      await flush()
      for (;;) {
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
        const next = timers[0]
        if (!next || next.at > end) break
        timers.shift()
        now = next.at
        next.fn()
        await flush()
      }
      now = end
      await flush()
    },
    pending: () => timers.length,
  }
}
