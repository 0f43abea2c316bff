/**
 * The one exit-code table (DESIGN.md section 2). Every command, with or without --json,
 * exits with one of these; scripts and keepalived rely on the numbers.
 */
export const ExitCode = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  PARTIAL: 3,
  UNAVAILABLE: 69,
  TEMPFAIL: 75,
  CONFIG: 78,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export const EXIT_CODE_MEANINGS: ReadonlyArray<readonly [ExitCodeValue, string]> = [
  [ExitCode.OK, 'ok: done, healthy, or already converged'],
  [ExitCode.FAILED, 'failed or unhealthy'],
  [ExitCode.USAGE, 'usage error: bad flag, argument or target'],
  [ExitCode.PARTIAL, 'partial: some steps failed, the rest were applied'],
  [ExitCode.UNAVAILABLE, 'unavailable: peer, D-Bus, daemon or a required program'],
  [ExitCode.TEMPFAIL, 'temporary: the lock is busy, try again'],
  [ExitCode.CONFIG, 'configuration error'],
]

/** Help-text block listing the table, appended to every command's --help. */
export function exitCodeHelp(): string {
  return EXIT_CODE_MEANINGS.map(([code, text]) => `  ${String(code).padStart(2)}  ${text}`).join('\n')
}
