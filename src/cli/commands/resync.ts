import {runResync, type ResyncResult, type ResyncRoleFlag} from '../../app/resync.js'
import {createResyncDeps} from '../../wiring/resync.js'
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
    return runResync(createResyncDeps(config, inv.ctx.logger()), {role: inv.flags.role as ResyncRoleFlag | undefined})
  },
}
