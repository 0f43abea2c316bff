import type {ObservedWan} from '../core/transition/types.js'

export type WanObserver = {
  /** The current view: cached while no change was seen since it was read, else read now. */
  get(): Promise<ObservedWan>
  /** Forget the cached view (after applying steps, before their events arrive). */
  invalidate(): void
  /** Called from the watcher: something changed (lost: the watcher died, never trust the cache again). */
  changed(lost: boolean): void
}

/**
 * The daemon's view of the WAN, kept current by kernel change events instead of two process
 * spawns per transition (~5 ms of a keepalived transition). A read only becomes the cache
 * when no event arrived while it ran; without a working watcher every get() reads.
 */
export function createWanObserver(read: () => Promise<ObservedWan>): WanObserver {
  let cached: ObservedWan | undefined
  let generation = 0
  let trusted = true
  return {
    async get() {
      if (cached && trusted) return cached
      const before = generation
      const view = await read()
      if (generation === before && trusted) cached = view
      return view
    },
    invalidate() {
      generation++
      cached = undefined
    },
    changed(lost) {
      generation++
      cached = undefined
      if (lost) trusted = false
    },
  }
}
