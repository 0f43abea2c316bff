import {Args} from '@oclif/core'
import {BaseCommand, EXIT_CODES_HELP} from '../../cli/base-command.js'
import {checkConfigFile} from '../../config/load.js'
import {ExitCode} from '../../core/exit-codes.js'

export default class ConfigValidate extends BaseCommand<typeof ConfigValidate> {
  static summary = 'Check a config file and list every problem in it.'
  static description = `Parses FILE (default: the --config path) as TOML and checks every key against the schema: unknown sections and keys, wrong types, out-of-range values, and missing required keys. Each problem is one line: FILE:LINE: key.path: what was expected and what was found. Exits 0 when the file is valid, 78 when it is not.

${EXIT_CODES_HELP}`
  static args = {file: Args.string({description: 'config file to check', required: false})}
  static examples = ['<%= config.bin %> config validate /etc/ha-tool/config.toml', '<%= config.bin %> config validate ./new.toml --json']

  async run(): Promise<{file: string; valid: boolean; problems: string[]}> {
    const file = this.args.file ?? this.ctx.configPath
    const problems = checkConfigFile(file)
    const valid = problems.length === 0
    return this.finish({
      result: {file, valid, problems},
      exit: valid ? ExitCode.OK : ExitCode.CONFIG,
      text: valid ? `${file}: valid` : problems.join('\n'),
    })
  }
}
