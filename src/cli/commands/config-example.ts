import {buildExample, EXAMPLE_KINDS, type ExampleKind} from '../../app/config-example.js'
import type {Config} from '../../config/schema.js'
import {defaultConfig} from '../../config/validate.js'
import {HaError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import type {CommandSpec} from '../command.js'
import type {Invocation} from '../outcome.js'
import {type ExampleResult, renderConfigExample} from '../render/config-example.js'

export const configExampleCommand: CommandSpec<ExampleResult> = {
  usage: `ha-tool config example ${EXAMPLE_KINDS.join('|')} [--mode fifo|script]`,
  flags: {
    mode: {type: 'string', description: 'keepalived only: how keepalived tells ha-tool of role changes', options: ['fifo', 'script'], default: 'fifo'},
  },
  args: [{name: 'kind', description: 'which configuration', options: EXAMPLE_KINDS, required: true}],
  render: renderConfigExample,
  async run(inv) {
    const kind = inv.args[0] as ExampleKind
    const {config, path} = configOrDefaults(inv)
    const text = buildExample(kind, config, path, inv.flags.mode as 'fifo' | 'script')
    return {result: {kind, from: path ?? null, text}, exit: ExitCode.OK}
  },
}

/** The config when there is one; the defaults when the file does not exist (any other problem is an error). */
function configOrDefaults(inv: Invocation): {config: Config; path?: string} {
  try {
    const loaded = inv.ctx.config()
    return {config: loaded.config, path: loaded.path}
  } catch (error) {
    if (error instanceof HaError && /: no such config file$/.test(error.message)) return {config: defaultConfig()}
    throw error
  }
}
