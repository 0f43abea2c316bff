import type {Config} from '../../config/schema.js'
import {ExitCode} from '../../core/exit-codes.js'
import type {CommandSpec} from '../command.js'
import {renderConfigShow} from '../render/config-show.js'

export const configShowCommand: CommandSpec<{file: string; config: Config}> = {
  usage: 'ha-tool config show [--config PATH] [--json]',
  flags: {},
  render: renderConfigShow,
  async run(inv) {
    const {path, config} = inv.ctx.config()
    return {result: {file: path, config}, exit: ExitCode.OK}
  },
}
