import type {Logger as PinoLogger} from 'pino'
import {lazyRequire} from './lazy-require.js'

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
type Fields = Record<string, unknown>

export type Logger = {
  readonly level: LogLevel
  isEnabled(level: Exclude<LogLevel, 'silent'>): boolean
  trace(fields: Fields | string, msg?: string): void
  debug(fields: Fields | string, msg?: string): void
  info(fields: Fields | string, msg?: string): void
  warn(fields: Fields | string, msg?: string): void
  error(fields: Fields | string, msg?: string): void
  child(bindings: Fields): Logger
}

const RANK: Record<LogLevel, number> = {trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity}

export type LogOptions = {level: LogLevel; file?: string; name?: string}

/**
 * A pino logger that is not loaded until something is logged at an enabled level:
 * keepalived spawns `check` and `notify` every interval, and importing pino costs ~20 ms.
 * Output is synchronous JSON on stderr (or appended to a file), never on stdout.
 */
export function createLogger(opts: LogOptions): Logger {
  let root: PinoLogger | undefined
  const realize = (): PinoLogger => {
    if (!root) {
      const pino = lazyRequire<typeof import('pino')>('pino', import.meta.url)
      const dest = pino.destination(opts.file ? {dest: opts.file, sync: true, append: true, mkdir: true} : {dest: 2, sync: true})
      root = pino({level: opts.level, name: opts.name ?? 'ha-tool', base: {pid: process.pid}}, dest)
    }
    return root
  }
  return make(opts.level, realize, {})
}

function make(level: LogLevel, realize: () => PinoLogger, bindings: Fields): Logger {
  const emit = (lvl: Exclude<LogLevel, 'silent'>) => (fields: Fields | string, msg?: string) => {
    if (RANK[lvl] < RANK[level]) return
    const base = realize()
    const target = Object.keys(bindings).length > 0 ? base.child(bindings) : base
    if (typeof fields === 'string') target[lvl](fields)
    else target[lvl](fields, msg)
  }
  return {
    level,
    isEnabled: (lvl) => RANK[lvl] >= RANK[level],
    trace: emit('trace'),
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (more) => make(level, realize, {...bindings, ...more}),
  }
}

/** A logger that drops everything (tests, and before the config says otherwise). */
export const silentLogger: Logger = make('silent', () => { throw new Error('unreachable') }, {})
