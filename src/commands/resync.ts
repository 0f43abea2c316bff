import {Flags} from '@oclif/core'
import {runResync, type ResyncResult, type ResyncRoleFlag} from '../app/resync.js'
import {createResyncDeps} from '../wiring/resync.js'
import {BaseCommand, EXIT_CODES_HELP} from '../cli/base-command.js'

export default class Resync extends BaseCommand<typeof Resync> {
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
  static flags = {
    role: Flags.string({description: 'role to run the sequence for [default: the role in <state.dir>/state.json]', options: ['master', 'backup', 'fault']}),
  }

  async run(): Promise<ResyncResult> {
    const {config} = this.ctx.config()
    const log = this.ctx.logger()
    const outcome = await runResync(createResyncDeps(config, log), {role: this.flags.role as ResyncRoleFlag | undefined})
    return this.finish(outcome)
  }
}
