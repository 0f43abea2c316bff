import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../cli/base-command.js'
import {resyncCommand} from '../cli/commands/resync.js'

/** oclif shim: help text here, everything else in src/cli/commands/resync.ts. */
const shape = oclifShape(resyncCommand)

export default class Resync extends BaseCommand {
  static summary = 'Run the conntrackd resync sequence for this node\'s role, by hand.'
  static description = `Runs conntrack-tools' primary-backup.sh sequence for the role this node holds (from <state.dir>/state.json, written by the last transition) or the one given with --role, with the same steps a transition runs, under the transition lock:

  master  conntrackd -c (commit the external cache; checked in the conntrackd log or by counts, because -c exits 0 even when it was skipped), -f, -R, -B
  backup  start conntrackd if it is not running (conntrackd.start_on_backup), -t, -n, then check that the MASTER's flows arrived (conntrackd.verify_failback; compared with the MASTER's count when conntrackd.peer_exec is set)
  fault   -t

Each step reports ok, failed or skipped; a command that does nothing in this conntrackd.conf (-c with DisableExternalCache on, -n and -B in ALARM mode, everything without a Sync section) is skipped and the report says why. Runs whether or not conntrackd.enabled is set. Exits 69 when conntrackd is not installed, not running, its socket is missing or refuses us, or a step times out (one line with the fix); 3 when some steps failed and others worked; 2 when there is no state file and no --role.

${EXIT_CODES_HELP}`
  static examples = [
    '<%= config.bin %> resync',
    '<%= config.bin %> resync --role backup',
    '<%= config.bin %> resync --role master --json',
  ]
  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(resyncCommand)
  }
}
