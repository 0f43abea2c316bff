import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../../cli/base-command.js'
import {configShowCommand} from '../../cli/commands/config-show.js'

/** oclif shim: help text here, everything else in src/cli/commands/config-show.ts. */
const shape = oclifShape(configShowCommand)

export default class ConfigShow extends BaseCommand {
  static summary = 'Print the effective configuration: the file merged with every default.'
  static description = `Reads the config file (--config, $HA_TOOL_CONFIG, or /etc/ha-tool/config.toml), validates it, and prints every key with its effective value and what it does. Keys not written in the file show their defaults.

${EXIT_CODES_HELP}`
  static examples = ['<%= config.bin %> config show', '<%= config.bin %> config show --config ./gw1.toml --json']
  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(configShowCommand)
  }
}
