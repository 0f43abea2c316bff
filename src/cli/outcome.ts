import type {ExitCodeValue} from '../core/exit-codes.js'
import type {ParsedFlags} from './flag-spec.js'
import type {CliContext} from './context.js'

/** What a command's shared body returns: the --json result, the exit code, and the human text. */
export type Outcome<R> = {result: R; exit: ExitCodeValue; text: string}

export type Invocation = {flags: ParsedFlags; args: string[]; json: boolean; ctx: CliContext}
