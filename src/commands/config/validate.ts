import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../../cli/base-command.js'
import {configValidateCommand} from '../../cli/commands/config-validate.js'

/** oclif shim: help text here, everything else in src/cli/commands/config-validate.ts. */
const shape = oclifShape(configValidateCommand)

export default class ConfigValidate extends BaseCommand {
  static summary = 'Check a config file and list every problem in it.'
  static description = `Parses FILE (default: the --config path) as TOML and checks every key against the schema: unknown sections and keys, wrong types, out-of-range values, and missing required keys. Each problem is one line: FILE:LINE: key.path: what was expected and what was found. Exits 0 when the file is valid, 78 when it is not.

${EXIT_CODES_HELP}`
  static examples = ['<%= config.bin %> config validate /etc/ha-tool/config.toml', '<%= config.bin %> config validate ./new.toml --json']
  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(configValidateCommand)
  }
}
