import {checkConfigFile} from '../../config/load.js'
import {ExitCode} from '../../core/exit-codes.js'
import type {CommandSpec} from '../command.js'
import {renderConfigValidate, type ValidateResult} from '../render/config-validate.js'

export const configValidateCommand: CommandSpec<ValidateResult> = {
  usage: 'ha-tool config validate [FILE] [--json]',
  flags: {},
  args: [{name: 'file', description: 'config file to check', required: false}],
  render: renderConfigValidate,
  async run(inv) {
    const file = inv.args[0] ?? inv.ctx.configPath
    const problems = checkConfigFile(file)
    const valid = problems.length === 0
    return {result: {file, valid, problems}, exit: valid ? ExitCode.OK : ExitCode.CONFIG}
  },
}
