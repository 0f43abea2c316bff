import {BaseCommand, EXIT_CODES_HELP} from '../../cli/base-command.js'
import type {Config} from '../../config/schema.js'
import {renderConfigToml} from '../../config/render.js'

export default class ConfigShow extends BaseCommand<typeof ConfigShow> {
  static summary = 'Print the effective configuration: the file merged with every default.'
  static description = `Reads the config file (--config, $HA_TOOL_CONFIG, or /etc/ha-tool/config.toml), validates it, and prints every key with its effective value and what it does. Keys not written in the file show their defaults.

${EXIT_CODES_HELP}`
  static examples = ['<%= config.bin %> config show', '<%= config.bin %> config show --config ./gw1.toml --json']

  async run(): Promise<{file: string; config: Config}> {
    const {path, config} = this.ctx.config()
    return this.finish({result: {file: path, config}, exit: 0, text: renderConfigToml(config, {header: `effective configuration of ${path}`})})
  }
}
