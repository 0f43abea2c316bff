import {ExitCode, type ExitCodeValue} from './exit-codes.js'

/**
 * An error meant for the user: one line saying what and where, and the exit code it maps to.
 * `kind` is a stable machine-readable tag for --json consumers.
 */
export class HaError extends Error {
  readonly exit: ExitCodeValue
  readonly kind: string
  readonly hint?: string

  constructor(message: string, exit: ExitCodeValue = ExitCode.FAILED, opts: {kind?: string; hint?: string; cause?: unknown} = {}) {
    super(message, opts.cause === undefined ? undefined : {cause: opts.cause})
    this.name = 'HaError'
    this.exit = exit
    this.kind = opts.kind ?? kindFor(exit)
    this.hint = opts.hint
  }
}

function kindFor(exit: ExitCodeValue): string {
  switch (exit) {
    case ExitCode.USAGE: return 'usage'
    case ExitCode.PARTIAL: return 'partial'
    case ExitCode.UNAVAILABLE: return 'unavailable'
    case ExitCode.TEMPFAIL: return 'busy'
    case ExitCode.CONFIG: return 'config'
    default: return 'failed'
  }
}

export const usageError = (message: string, hint?: string) => new HaError(message, ExitCode.USAGE, {hint})
export const configError = (message: string, hint?: string) => new HaError(message, ExitCode.CONFIG, {hint})
export const unavailableError = (message: string, hint?: string) => new HaError(message, ExitCode.UNAVAILABLE, {hint})

/** The exit code an arbitrary thrown value maps to. */
export function exitOf(err: unknown): ExitCodeValue {
  return err instanceof HaError ? err.exit : ExitCode.FAILED
}

/** The one line printed for an error (with its fix, when known). */
export function errorLine(err: unknown): string {
  if (err instanceof HaError) return err.hint ? `${err.message} (${err.hint})` : err.message
  if (err instanceof Error) return err.message
  return String(err)
}

/** The --json error shape, the same from the fast path and from oclif commands (schemas/error.schema.json). */
export type ErrorJson = {
  error: {
    /** the one line saying what went wrong and where */
    message: string
    /** stable tag: usage, partial, unavailable, busy, config, failed, or a more specific one */
    kind: string
    /** the process exit code: 0, 1, 2, 3, 69, 75 or 78 (the exit-code table) */
    exit: number
    /** how to fix it, when known */
    hint?: string
  }
}

export function errorJson(err: unknown): ErrorJson {
  const e = err instanceof HaError ? err : undefined
  return {error: {message: err instanceof Error ? err.message : String(err), kind: e?.kind ?? 'failed', exit: exitOf(err), ...(e?.hint ? {hint: e.hint} : {})}}
}
