import {maintenanceOn, type MaintenanceResult} from '../../app/maintenance.js'
import {ExitCode} from '../../core/exit-codes.js'
import {createMaintenanceDeps} from '../../wiring/health.js'
import type {CommandSpec} from '../command.js'
import {renderMaintenanceOn} from '../render/maintenance.js'

export const maintenanceOnCommand: CommandSpec<MaintenanceResult> = {
  usage: 'ha-tool maintenance on [--json]',
  flags: {},
  render: renderMaintenanceOn,
  async run(inv) {
    return {result: maintenanceOn(inv.ctx.config().config, createMaintenanceDeps(), inv.ctx.logger(), process.env.SUDO_USER || process.env.USER), exit: ExitCode.OK}
  },
}
