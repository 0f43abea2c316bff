import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../../cli/base-command.js'
import {maintenanceOffCommand} from '../../cli/commands/maintenance-off.js'

/** oclif shim: help text here, everything else in src/cli/commands/maintenance-off.ts. */
const shape = oclifShape(maintenanceOffCommand)

export default class MaintenanceOff extends BaseCommand {
  static summary = 'Re-admit this node after `maintenance on`: it becomes eligible for MASTER again.'
  static description = `Removes the maintenance flag and writes keepalived's track_file back: the running health monitor's current verdict (1 when it finds the node unhealthy), else 0. The node leaves FAULT and becomes BACKUP; with nopreempt it stays BACKUP until the next failover, without nopreempt a higher priority takes MASTER back.

${EXIT_CODES_HELP}`
  static examples = ['<%= config.bin %> maintenance off', '<%= config.bin %> maintenance off --json']
  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(maintenanceOffCommand)
  }
}
