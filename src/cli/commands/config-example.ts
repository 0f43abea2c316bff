import {buildExample, buildNetworkdFiles, EXAMPLE_KINDS, type ExampleKind, writeExampleFiles} from '../../app/config-example.js'
import type {Config} from '../../config/schema.js'
import {defaultConfig} from '../../config/validate.js'
import {NETWORKD_FILES, type NetworkdFileName} from '../../core/examples/networkd.js'
import {HaError, usageError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import {writeConfigFile} from '../../wiring/cli.js'
import type {CommandSpec} from '../command.js'
import type {Invocation} from '../outcome.js'
import {type ExampleResult, renderConfigExample} from '../render/config-example.js'

const USAGE = `ha-tool config example ${EXAMPLE_KINDS.join('|')} [--mode fifo|script] [--file ${NETWORKD_FILES.join('|')}] [--output-dir DIR]`

export const configExampleCommand: CommandSpec<ExampleResult> = {
  usage: USAGE,
  flags: {
    mode: {type: 'string', description: 'keepalived only: how keepalived tells ha-tool of role changes', options: ['fifo', 'script'], default: 'fifo'},
    file: {type: 'string', description: 'networkd only: just this file, whole, as networkd reads it (no "# file:" line): the WAN, LAN or sync .network, or the networkd.conf drop-in', options: NETWORKD_FILES},
    'output-dir': {type: 'string', description: 'networkd only: write the files (or the --file one) under DIR at their install paths (DIR/etc/systemd/...; "/" installs them), each atomically, and print the paths written', helpValue: 'DIR'},
  },
  args: [{name: 'kind', description: 'which configuration', options: EXAMPLE_KINDS, required: true}],
  render: renderConfigExample,
  async run(inv) {
    const kind = inv.args[0] as ExampleKind
    const file = inv.flags.file as NetworkdFileName | undefined
    const dir = inv.flags['output-dir'] as string | undefined
    if ((file !== undefined || dir !== undefined) && kind !== 'networkd') {
      throw usageError(`--${file === undefined ? 'output-dir' : 'file'} applies to networkd only, not ${kind}`, `usage: ${USAGE}`)
    }
    if (dir === '') throw usageError('--output-dir: empty directory name', `usage: ${USAGE}`)
    const {config, path} = configOrDefaults(inv)
    const from = path ?? null
    if (dir !== undefined) {
      const written = writeExampleFiles(buildNetworkdFiles(config, path, file), dir, writeConfigFile)
      return {result: {kind, from, text: '', written}, exit: ExitCode.OK}
    }
    if (file !== undefined) return {result: {kind, from, text: buildNetworkdFiles(config, path, file)[0].text}, exit: ExitCode.OK}
    const text = buildExample(kind, config, path, inv.flags.mode as 'fifo' | 'script')
    return {result: {kind, from, text}, exit: ExitCode.OK}
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
