import {maintenanceOff, type MaintenanceResult} from '../../app/maintenance.js'
import {ExitCode} from '../../core/exit-codes.js'
import {createMaintenanceDeps} from '../../wiring/health.js'
import type {CommandSpec} from '../command.js'
import {renderMaintenanceOff} from '../render/maintenance.js'

export const maintenanceOffCommand: CommandSpec<MaintenanceResult> = {
  usage: 'ha-tool maintenance off [--json]',
  flags: {},
  render: renderMaintenanceOff,
  async run(inv) {
    return {result: maintenanceOff(inv.ctx.config().config, createMaintenanceDeps(), inv.ctx.logger()), exit: ExitCode.OK}
  },
}
