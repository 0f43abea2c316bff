import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../../cli/base-command.js'
import {maintenanceOnCommand} from '../../cli/commands/maintenance-on.js'

/** oclif shim: help text here, everything else in src/cli/commands/maintenance-on.ts. */
const shape = oclifShape(maintenanceOnCommand)

export default class MaintenanceOn extends BaseCommand {
  static summary = 'Demote this node: keepalived moves MASTER to the peer and keeps this node out until `maintenance off`.'
  static description = `Writes the maintenance value (2) to keepalived's track_file (health.track_file, default <state.dir>/track) and persists the flag (health.maintenance_file, default <state.dir>/maintenance), so the daemon's health monitor keeps writing it across daemon restarts. With the track_file at weight 0 (keepalived.conf: track_file { ... weight 0 }) any non-zero value puts the VRRP instance into FAULT: a MASTER hands over at once, a BACKUP stays out of the election. With a negative weight the value times the weight is added to the priority instead.

Idempotent: running it twice keeps the first "since". The flag lives on tmpfs by default (gone at reboot); set health.maintenance_file to a path under /var/lib to keep it.

${EXIT_CODES_HELP}`
  static examples = ['<%= config.bin %> maintenance on', '<%= config.bin %> maintenance on --json']
  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(maintenanceOnCommand)
  }
}
