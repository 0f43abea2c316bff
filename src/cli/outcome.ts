import type {ExitCodeValue} from '../core/exit-codes.js'
import type {ParsedFlags} from './flag-spec.js'
import type {CliContext} from './context.js'

/** What a command's run function returns: the result (printed as is with --json) and the exit code. */
export type Outcome<R> = {result: R; exit: ExitCodeValue}

export type Invocation = {flags: ParsedFlags; args: string[]; json: boolean; ctx: CliContext}
