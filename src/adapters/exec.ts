import {execFile} from 'node:child_process'
import {HaError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import type {Logger} from './log.js'

export type ExecResult = {
  argv: readonly string[]
  /** Exit status, or null when killed by a signal. */
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  timedOut: boolean
  durationMs: number
}

export type ExecOptions = {
  timeoutMs?: number
  input?: string
  env?: NodeJS.ProcessEnv
  /** Signal sent at the timeout; SIGKILL follows 1 s later if the child is still there. */
  killSignal?: NodeJS.Signals
  maxBuffer?: number
}

/** Runs a program without a shell; resolves with its result whatever the exit status. */
export type Exec = (argv: readonly string[], opts?: ExecOptions) => Promise<ExecResult>

/**
 * The real exec: execFile (no shell, so no quoting bugs), a timeout that kills, argv logged at debug.
 * A missing program rejects with HaError(69) naming it; a non-zero exit resolves (callers decide).
 */
export function createExec(log?: Logger): Exec {
  return (argv, opts = {}) => new Promise((resolve, reject) => {
    const [file, ...args] = argv
    const started = performance.now()
    log?.debug({argv}, 'exec')
    let timedOut = false
    let hardKill: NodeJS.Timeout | undefined
    const child = execFile(file, args, {
      encoding: 'utf8',
      env: opts.env,
      maxBuffer: opts.maxBuffer ?? 64 * 1024 * 1024,
      windowsHide: true,
    }, (error, stdout, stderr) => {
      clearTimeout(timer)
      clearTimeout(hardKill)
      const durationMs = performance.now() - started
      const err = error as (NodeJS.ErrnoException & {code?: string | number; signal?: NodeJS.Signals}) | null
      if (err && err.code === 'ENOENT') {
        reject(new HaError(`${file}: not installed or not on PATH`, ExitCode.UNAVAILABLE, {kind: 'missing-program'}))
        return
      }
      if (err && err.code === 'EACCES') {
        reject(new HaError(`${file}: permission denied`, ExitCode.UNAVAILABLE, {kind: 'missing-program'}))
        return
      }
      if (err && err.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
        reject(new HaError(`${file}: output larger than the buffer`, ExitCode.FAILED))
        return
      }
      const code = child.exitCode
      const result: ExecResult = {argv, code, signal: child.signalCode, stdout, stderr, timedOut, durationMs}
      if (log?.isEnabled('debug')) log.debug({argv, code, signal: child.signalCode, timedOut, ms: Math.round(durationMs * 10) / 10}, 'exec done')
      resolve(result)
    })
    const timer = opts.timeoutMs ? setTimeout(() => {
      timedOut = true
      child.kill(opts.killSignal ?? 'SIGTERM')
      hardKill = setTimeout(() => child.kill('SIGKILL'), 1000)
      hardKill.unref()
    }, opts.timeoutMs) : undefined
    if (opts.input !== undefined) child.stdin?.end(opts.input)
    else child.stdin?.end()
  })
}

/** Throws a HaError with the command and its stderr when a result is not a clean exit 0. */
export function assertOk(r: ExecResult, what = r.argv.join(' ')): ExecResult {
  if (r.code === 0) return r
  const why = r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit ${r.code}`
  const detail = r.stderr.trim().split('\n').filter(Boolean).pop()
  throw new HaError(`${what}: ${why}${detail ? `: ${detail}` : ''}`, ExitCode.FAILED)
}
