/**
 * A cancellation token for probes: what AbortController does here, without it. Node builds
 * AbortSignal on EventTarget, and its first use costs ~0.7 ms on the path keepalived runs
 * every second; this is a flag and a list of callbacks. Pure.
 */
export type Cancel = {
  readonly cancelled: boolean
  /** Calls fn once on cancel (at once, in a microtask, when already cancelled); returns the unsubscribe. */
  onCancel(fn: () => void): () => void
}

export type CancelSource = Cancel & {cancel(): void}

export function createCancel(): CancelSource {
  const fns = new Set<() => void>()
  let cancelled = false
  return {
    get cancelled() { return cancelled },
    onCancel(fn) {
      if (cancelled) {
        queueMicrotask(fn)
        return () => {}
      }
      fns.add(fn)
      return () => { fns.delete(fn) }
    },
    cancel() {
      if (cancelled) return
      cancelled = true
      for (const fn of [...fns]) fn()
      fns.clear()
    },
  }
}
