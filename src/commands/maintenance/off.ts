import {createMaintenanceDeps} from '../../wiring/health.js'
import {maintenanceOff, type MaintenanceResult} from '../../app/maintenance.js'
import {BaseCommand, EXIT_CODES_HELP} from '../../cli/base-command.js'
import {ExitCode} from '../../core/exit-codes.js'

export default class MaintenanceOff extends BaseCommand<typeof MaintenanceOff> {
  static summary = 'Re-admit this node after `maintenance on`: it becomes eligible for MASTER again.'
  static description = `Removes the maintenance flag and writes keepalived's track_file back: the running health monitor's current verdict (1 when it finds the node unhealthy), else 0. The node leaves FAULT and becomes BACKUP; with nopreempt it stays BACKUP until the next failover, without nopreempt a higher priority takes MASTER back.

${EXIT_CODES_HELP}`
  static examples = ['<%= config.bin %> maintenance off', '<%= config.bin %> maintenance off --json']

  async run(): Promise<MaintenanceResult> {
    const r = maintenanceOff(this.ctx.config().config, createMaintenanceDeps(), this.ctx.logger())
    return this.finish({
      result: r,
      exit: ExitCode.OK,
      text: `maintenance off${r.changed ? '' : ' (was not on)'}: ${r.trackFile} = ${r.value}${r.value === 0 ? '; this node is eligible again' : '; the health monitor still finds this node unhealthy'}`,
    })
  }
}
