import {Command, type Interfaces} from '@oclif/core'
import {errorJson, errorLine, HaError} from '../core/errors.js'
import {ExitCode, exitCodeHelp, type ExitCodeValue} from '../core/exit-codes.js'
import {type CliContext, createContext} from './context.js'
import {GLOBAL_FLAGS} from './flag-spec.js'
import {toOclifFlags} from './oclif-flags.js'
import type {Invocation, Outcome} from './outcome.js'

export type CmdFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>
export type CmdArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/** Appended to every command's --help. */
export const EXIT_CODES_HELP = `EXIT CODES\n${exitCodeHelp()}`

/**
 * What every ha-tool command shares: --json, --config, --log-level, the config and logger,
 * and one mapping from errors to the exit-code table that holds with and without --json
 * (oclif's own catch turns every error into exit 1 under --json).
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static enableJsonFlag = true
  static baseFlags = toOclifFlags(GLOBAL_FLAGS, 'GLOBAL')

  protected flags!: CmdFlags<T>
  protected args!: CmdArgs<T>
  private context?: CliContext

  public async init(): Promise<void> {
    await super.init()
    const ctor = this.ctor as typeof BaseCommand
    const {args, flags} = await this.parse({
      flags: ctor.flags,
      baseFlags: ctor.baseFlags,
      enableJsonFlag: ctor.enableJsonFlag,
      args: ctor.args,
      strict: ctor.strict,
    })
    this.flags = flags as CmdFlags<T>
    this.args = args as CmdArgs<T>
  }

  protected get ctx(): CliContext {
    return (this.context ??= createContext(this.flags as {config?: string; 'log-level'?: string}))
  }

  /** Sets the exit code, prints the text unless --json, and returns the --json result. */
  protected finish<R>(outcome: Outcome<R>): R {
    process.exitCode = outcome.exit
    if (!this.jsonEnabled() && outcome.text) this.log(outcome.text)
    return outcome.result
  }

  /** The shared body's view of this invocation (see src/cli/hot.ts for the fast path's). */
  protected invocation(positional: string[] = []): Invocation {
    return {flags: this.flags as Invocation['flags'], args: positional, json: this.jsonEnabled(), ctx: this.ctx}
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
