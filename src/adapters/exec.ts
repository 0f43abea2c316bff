import {spawn} from 'node:child_process'
import {HaError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import type {Logger} from './log.js'
import {monoMs} from './clock.js'
import {childEnv} from './safe-path.js'

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
  /** Signal sent at the timeout to the child's process group; SIGKILL follows 1 s later if the child is still there. */
  killSignal?: NodeJS.Signals
  maxBuffer?: number
}

/** Runs a program without a shell; resolves with its result whatever the exit status. */
export type Exec = (argv: readonly string[], opts?: ExecOptions) => Promise<ExecResult>

/**
 * The real exec: spawn without a shell (no quoting bugs), a timeout that kills, argv logged at debug.
 * A missing program rejects with HaError(69) naming it; a non-zero exit resolves (callers decide).
 * A child with a timeout leads a process group of its own, so the timeout (or too much output) ends
 * what it started too: a start_command's shell, a helper holding the pipes. A child without one stays
 * in ours, so a terminal's Ctrl-C reaches it as before; what it leaves on a normal exit stays.
 */
export function createExec(log?: Logger): Exec {
  return (argv, opts = {}) => new Promise((resolve, reject) => {
    const [file, ...args] = argv
    const started = monoMs()
    log?.debug({argv}, 'exec')
    // stdin is closed unless there is input: a child must never wait on a terminal.
    // PATH fixed (safe-path.ts): root must not run an `ip` planted in /usr/local/sbin.
    const ownGroup = opts.timeoutMs !== undefined && opts.timeoutMs > 0
    const child = spawn(file, args, {env: childEnv(opts.env), stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], detached: ownGroup})
    // By PID: the group the child leads (its PID stays reserved while any member lives), else the child.
    const killGroup = (signal: NodeJS.Signals) => {
      try { if (child.pid) process.kill(ownGroup ? -child.pid : child.pid, signal) } catch { /* gone */ }
    }
    const max = opts.maxBuffer ?? 64 * 1024 * 1024
    let stdout = ''
    let stderr = ''
    let overflow = false
    let timedOut = false
    let hardKill: NodeJS.Timeout | undefined
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; if (stdout.length > max && !overflow) { overflow = true; killGroup('SIGKILL') } })
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    const timer = opts.timeoutMs ? setTimeout(() => {
      timedOut = true
      killGroup(opts.killSignal ?? 'SIGTERM')
      hardKill = setTimeout(() => killGroup('SIGKILL'), 1000)
      hardKill.unref()
    }, opts.timeoutMs) : undefined
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      clearTimeout(hardKill)
      if (err.code === 'ENOENT') reject(new HaError(`${file}: not installed or not on PATH`, ExitCode.UNAVAILABLE, {kind: 'missing-program'}))
      else if (err.code === 'EACCES') reject(new HaError(`${file}: permission denied`, ExitCode.UNAVAILABLE, {kind: 'missing-program'}))
      else reject(new HaError(`${file}: ${err.message}`, ExitCode.FAILED))
    })
    // A grandchild (a daemon it started, a shell's background job) can hold the pipes open
    // after the child itself is gone: give the output 200 ms to drain, then stop waiting.
    let settled = false
    child.once('exit', () => {
      setTimeout(() => {
        if (settled) return
        child.stdout!.destroy()
        child.stderr!.destroy()
        finish(child.exitCode, child.signalCode)
      }, 200).unref()
    })
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(hardKill)
      // A command that timed out is abandoned: what is left of its group must not outlive the step
      // (the notify process exits right after the transition, and nothing would kill it later).
      if (timedOut || overflow) killGroup('SIGKILL')
      if (overflow) { reject(new HaError(`${file}: output larger than ${max} bytes`, ExitCode.FAILED)); return }
      const durationMs = monoMs() - started
      if (log?.isEnabled('debug')) log.debug({argv, code, signal, timedOut, ms: Math.round(durationMs * 10) / 10}, 'exec done')
      resolve({argv, code, signal, stdout, stderr, timedOut, durationMs})
    }
    child.once('close', finish)
    if (opts.input !== undefined) {
      child.stdin!.on('error', () => { /* the child may exit without reading it all */ })
      child.stdin!.end(opts.input)
    }
  })
}

/** Throws a HaError with the command and its stderr when a result is not a clean exit 0. */
export function assertOk(r: ExecResult, what = r.argv.join(' ')): ExecResult {
  if (r.code === 0) return r
  const why = r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit ${r.code}`
  const detail = r.stderr.trim().split('\n').filter(Boolean).pop()
  throw new HaError(`${what}: ${why}${detail ? `: ${detail}` : ''}`, ExitCode.FAILED)
}
