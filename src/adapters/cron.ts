import {lazyRequire} from './lazy-require.js'
import type {Logger} from './log.js'

/** A cron scheduler: node-cron, loaded only when a schedule is configured. */
export type Cron = {
  validate(expr: string): boolean
  /** Runs fn on the schedule, never overlapping itself. */
  schedule(expr: string, name: string, fn: () => Promise<void>): {stop(): Promise<void>}
}

/**
 * node-cron, its own messages (a skipped overlapping run, a missed tick) sent to `log` as JSON
 * lines: left alone it writes coloured text with console.warn into the daemon's JSON log.
 */
export function createNodeCron(log: Logger): Cron {
  const cron = () => lazyRequire<typeof import('node-cron')>('node-cron', import.meta.url)
  return {
    validate: (expr) => cron().validate(expr),
    schedule(expr, name, fn) {
      const own = log.child({cron: name})
      const text = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ')
      const logger = {
        info: (...a: unknown[]) => own.info(text(a)),
        warn: (...a: unknown[]) => own.warn(text(a)),
        error: (...a: unknown[]) => own.error(text(a)),
        debug: (...a: unknown[]) => own.debug(text(a)),
      }
      const task = cron().schedule(expr, fn, {name, noOverlap: true, logger} as Parameters<ReturnType<typeof cron>['schedule']>[2])
      return {
        stop: async () => {
          await task.stop()
          await task.destroy()
        },
      }
    },
  }
}
