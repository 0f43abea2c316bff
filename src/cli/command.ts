import type {FlagSpecs} from './flag-spec.js'
import type {Invocation, Outcome} from './outcome.js'

/** A positional argument, as plain data (the oclif shim turns it into Args; the fast path reads positionals in order). */
export type ArgSpec = {name: string; description: string; required?: boolean; options?: readonly string[]}

/**
 * The one shape of an ha-tool command. Both runners use it: the fast path (src/cli/fast-path.ts,
 * no oclif) for the commands bin/fast-path.json lists, and the oclif shim in src/commands/ for
 * everything, --help included. So parsing, output and exit codes are the same either way.
 */
export type CommandSpec<R = unknown> = {
  /** One line for usage errors on the fast path (oclif builds its own from the shim). */
  usage: string
  flags: FlagSpecs
  args?: readonly ArgSpec[]
  /** Takes any number of positionals after `args` (oclif's strict = false). */
  variadic?: boolean
  /** Fast path: exit as soon as the result is written (keepalived's hooks, whose teardown costs more than the exit). */
  exitAtOnce?: boolean
  run(inv: Invocation): Promise<Outcome<R>>
  /** The human text on stdout (not used with --json); '' prints nothing. Lives in src/cli/render/. */
  render(result: R, inv: Invocation): string
}

/** A spec with its result type erased, for tables of commands. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommandSpec = CommandSpec<any>
