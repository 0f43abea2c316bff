import type {Logger} from '../ports.js'

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error'
const LEVELS: Level[] = ['trace', 'debug', 'info', 'warn', 'error']

export type DeferredLogger = Logger & {
  /** Writes what was held, in order, to the real logger; later lines go straight through. */
  flush(): void
}

/**
 * A logger that holds its lines until flush(): what the steps log while a plan is applied. In a
 * notify process the first enabled line loads pino (~20 ms); logged from inside a step (the commit's
 * verdict) it delayed the silence lift and the WAN rules that follow by that much.
 */
export function deferredLogger(real: Logger): DeferredLogger {
  let held: Array<() => void> | undefined = []
  const make = (target: () => Logger): Logger => {
    const at = (lvl: Level) => (fields: Record<string, unknown> | string, msg?: string) => {
      if (!real.isEnabled(lvl)) return
      const write = () => target()[lvl](fields, msg)
      if (held) held.push(write)
      else write()
    }
    const logger = Object.fromEntries(LEVELS.map((l) => [l, at(l)])) as Pick<Logger, Level>
    return {
      level: real.level,
      isEnabled: (lvl) => real.isEnabled(lvl),
      ...logger,
      child: (bindings) => {
        let c: Logger | undefined
        return make(() => (c ??= target().child(bindings)))
      },
    }
  }
  return Object.assign(make(() => real), {
    flush() {
      const lines = held ?? []
      held = undefined
      for (const write of lines) write()
    },
  })
}
