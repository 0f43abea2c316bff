import {lazyRequire} from './lazy-require.js'

/** A cron scheduler: node-cron, loaded only when a schedule is configured. */
export type Cron = {
  validate(expr: string): boolean
  /** Runs fn on the schedule, never overlapping itself. */
  schedule(expr: string, name: string, fn: () => Promise<void>): {stop(): Promise<void>}
}

export const nodeCron: Cron = {
  validate: (expr) => lazyRequire<typeof import('node-cron')>('node-cron', import.meta.url).validate(expr),
  schedule(expr, name, fn) {
    const task = lazyRequire<typeof import('node-cron')>('node-cron', import.meta.url).schedule(expr, fn, {name, noOverlap: true})
    return {
      stop: async () => {
        await task.stop()
        await task.destroy()
      },
    }
  },
}
