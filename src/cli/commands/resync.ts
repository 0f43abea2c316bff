import {createExec} from '../../adapters/exec.js'
import {readTextOrUndefined} from '../../adapters/files.js'
import {acquireLock} from '../../adapters/lock.js'
import {runResync, type ResyncResult, type ResyncRoleFlag} from '../../app/resync.js'
import {conntrackExecutors, realConntrackBackend} from '../../app/steps/conntrack.js'
import type {StepDeps} from '../../app/steps/types.js'
import type {CommandSpec} from '../command.js'
import {renderResync} from '../render/resync.js'

export const resyncCommand: CommandSpec<ResyncResult> = {
  usage: 'ha-tool resync [--role master|backup|fault] [--json]',
  flags: {
    role: {type: 'string', description: 'role to run the sequence for [default: the role in <state.dir>/state.json]', options: ['master', 'backup', 'fault']},
  },
  render: (r, inv) => renderResync(r, inv.ctx.config().config.conntrackd.enabled),
  async run(inv) {
    const {config} = inv.ctx.config()
    const log = inv.ctx.logger()
    const deps: StepDeps = {config, exec: createExec(log), log, now: () => Date.now()}
    return runResync({
      ...deps,
      executors: conntrackExecutors,
      client: realConntrackBackend.client(deps),
      readState: readTextOrUndefined,
      lock: acquireLock,
    }, {role: inv.flags.role as ResyncRoleFlag | undefined})
  },
}
