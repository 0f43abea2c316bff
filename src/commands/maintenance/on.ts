import {createMaintenanceDeps} from '../../wiring/health.js'
import {maintenanceOn, type MaintenanceResult} from '../../app/maintenance.js'
import {BaseCommand, EXIT_CODES_HELP} from '../../cli/base-command.js'
import {ExitCode} from '../../core/exit-codes.js'

export default class MaintenanceOn extends BaseCommand<typeof MaintenanceOn> {
  static summary = 'Demote this node: keepalived moves MASTER to the peer and keeps this node out until `maintenance off`.'
  static description = `Writes the maintenance value (2) to keepalived's track_file (health.track_file, default <state.dir>/track) and persists the flag (health.maintenance_file, default <state.dir>/maintenance), so the daemon's health monitor keeps writing it across daemon restarts. With the track_file at weight 0 (keepalived.conf: track_file { ... weight 0 }) any non-zero value puts the VRRP instance into FAULT: a MASTER hands over at once, a BACKUP stays out of the election. With a negative weight the value times the weight is added to the priority instead.

Idempotent: running it twice keeps the first "since". The flag lives on tmpfs by default (gone at reboot); set health.maintenance_file to a path under /var/lib to keep it.

${EXIT_CODES_HELP}`
  static examples = ['<%= config.bin %> maintenance on', '<%= config.bin %> maintenance on --json']

  async run(): Promise<MaintenanceResult> {
    const r = maintenanceOn(this.ctx.config().config, createMaintenanceDeps(), this.ctx.logger(), process.env.SUDO_USER || process.env.USER)
    return this.finish({
      result: r,
      exit: ExitCode.OK,
      text: `maintenance on${r.changed ? '' : ' (already)'}: ${r.trackFile} = ${r.value}; keepalived demotes this node (FAULT with weight 0) until \`ha-tool maintenance off\``,
    })
  }
}
