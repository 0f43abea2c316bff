import {Command} from '@oclif/core'
import {errorJson, errorLine, HaError} from '../core/errors.js'
import {ExitCode, exitCodeHelp, type ExitCodeValue} from '../core/exit-codes.js'
import type {AnyCommandSpec, CommandSpec} from './command.js'
import {createContext} from './context.js'
import {GLOBAL_FLAGS, type ParsedFlags} from './flag-spec.js'
import {toOclifArgs, toOclifFlags} from './oclif-flags.js'

/** Appended to every command's --help. */
export const EXIT_CODES_HELP = `EXIT CODES\n${exitCodeHelp()}`

/** The oclif statics a shim derives from its spec: flags, args and strictness. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function oclifShape(spec: AnyCommandSpec): {flags: Record<string, any>; args: Record<string, any>; strict: boolean} {
  return {flags: toOclifFlags(spec.flags), args: toOclifArgs(spec.args), strict: !spec.variadic}
}

/**
 * The oclif side of every ha-tool command: a shim (src/commands/) holds the help text and the
 * statics from oclifShape(spec), and its run() is `this.execute(spec)`. Adds --json, --config,
 * --log-level, and one mapping from errors to the exit-code table that holds with and without
 * --json (oclif's own catch turns every error into exit 1 under --json).
 */
export abstract class BaseCommand extends Command {
  static enableJsonFlag = true
  static baseFlags = toOclifFlags(GLOBAL_FLAGS, 'GLOBAL')

  /** Runs the spec on what oclif parsed: the flags, and the positionals in order. */
  protected async execute<R>(spec: CommandSpec<R>): Promise<R> {
    const ctor = this.ctor as typeof BaseCommand
    const {flags, argv} = await this.parse({
      flags: ctor.flags,
      baseFlags: ctor.baseFlags,
      enableJsonFlag: ctor.enableJsonFlag,
      args: ctor.args,
      strict: ctor.strict,
    })
    const json = this.jsonEnabled()
    const inv = {flags: flags as ParsedFlags, args: argv as string[], json, ctx: createContext(flags as {config?: string; 'log-level'?: string})}
    const out = await spec.run(inv)
    process.exitCode = out.exit
    if (!json) {
      const text = spec.render(out.result, inv)
      if (text) this.log(text)
    }
    return out.result
  }

  protected async catch(err: Error & {oclif?: {exit?: number}; exitCode?: number}): Promise<unknown> {
    if (err instanceof HaError) return this.report(err)
    // Every oclif parse error (they carry `parse`) is a usage error; oclif leaves some at 1 (a value not in `options`).
    const code = 'parse' in err ? ExitCode.USAGE : err.oclif?.exit ?? (typeof err.exitCode === 'number' ? err.exitCode : undefined)
    if (code === 0) return super.catch(err)
    if (code === ExitCode.USAGE && err.oclif) err.oclif.exit = code
    if (this.jsonEnabled()) return this.report(new HaError(err.message, (code ?? ExitCode.FAILED) as ExitCodeValue))
    if (typeof code === 'number') process.exitCode = code
    return super.catch(err)
  }

  private report(err: HaError): void {
    process.exitCode = err.exit
    if (this.jsonEnabled()) this.logJson(errorJson(err))
    else this.logToStderr(`ha-tool: ${errorLine(err)}`)
  }
}
