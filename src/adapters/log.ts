import {closeSync, constants, fstatSync, openSync, writeSync} from 'node:fs'
import {dirname} from 'node:path'
import type {Logger as PinoLogger} from 'pino'
import {ensureDir} from './files.js'
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
 * Logging never throws and never waits on anything but a write(2): a log.file that cannot be
 * opened or written (a full disk, a directory, a directory that cannot be created) sends the
 * lines to stderr instead, after one line saying why. A transition must not fail for its log.
 */
export function createLogger(opts: LogOptions): Logger {
  let root: PinoLogger | undefined
  const realize = (): PinoLogger => {
    if (!root) {
      const pino = lazyRequire<typeof import('pino')>('pino', import.meta.url)
      root = pino({level: opts.level, name: opts.name ?? 'ha-tool', base: {pid: process.pid}}, safeDestination(opts.file))
    }
    return root
  }
  return make(opts.level, realize, {})
}

function make(level: LogLevel, realize: () => PinoLogger, bindings: Fields): Logger {
  const emit = (lvl: Exclude<LogLevel, 'silent'>) => (fields: Fields | string, msg?: string) => {
    if (RANK[lvl] < RANK[level]) return
    try {
      const base = realize()
      const target = Object.keys(bindings).length > 0 ? base.child(bindings) : base
      if (typeof fields === 'string') target[lvl](fields)
      else target[lvl](fields, msg)
    } catch (error) {
      // pino itself failed (not loadable, a field it cannot serialize): the message still goes out.
      toStderr(`${JSON.stringify({level: RANK[lvl], time: Date.now(), pid: process.pid, msg: typeof fields === 'string' ? fields : msg, logError: String(error)})}\n`)
    }
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

/** Writes to fd 2, dropping the line if even that fails (a closed stderr must not stop a transition). */
function toStderr(line: string): void {
  try { writeSync(2, line) } catch { /* nowhere left to say it */ }
}

/**
 * pino's sink: appends each line to `file` (its directory made 0755 when missing), or to stderr
 * when there is no file, it cannot be opened as a regular file, or a write fails; once fallen
 * back it stays on stderr.
 */
export function safeDestination(file: string | undefined): {write(line: string): void} {
  let fd: number | undefined
  const fallBack = (why: string) => {
    if (fd !== undefined) try { closeSync(fd) } catch { /* already unusable */ }
    fd = undefined
    toStderr(`${JSON.stringify({level: 40, time: Date.now(), pid: process.pid, msg: `log.file ${file}: ${why}; logging to stderr instead`})}\n`)
  }
  if (file) {
    try {
      ensureDir(dirname(file), 0o755)
      // O_NONBLOCK: a FIFO with no reader must not hold the transition in open(2).
      fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o640)
      const st = fstatSync(fd)
      if (!st.isFile() && !st.isCharacterDevice()) fallBack('not a regular file')
    } catch (error) {
      fallBack((error as Error).message)
    }
  }
  return {
    write(line: string) {
      if (fd === undefined) return toStderr(line)
      try {
        writeSync(fd, line)
      } catch (error) {
        fallBack((error as Error).message)
        toStderr(line)
      }
    },
  }
}
