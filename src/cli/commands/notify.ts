import {ownOrderKey} from '../../wiring/cli.js'
import {handleTransition} from '../../app/handle-transition.js'
import {createTransitionDeps} from '../../wiring/transition.js'
import {usageError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import {decideEvent} from '../../core/keepalived/event.js'
import {NOTIFY_USAGE, parseNotifyArgs} from '../../core/keepalived/notify-args.js'
import type {CommandSpec} from '../command.js'
import {type NotifyResult, renderNotify} from '../render/notify.js'

/** `ha-tool notify`: keepalived's notify hook (fast path, and the shim src/commands/notify.ts). */
export const notifyCommand: CommandSpec<NotifyResult> = {
  usage: NOTIFY_USAGE,
  flags: {
    'release-vips': {type: 'boolean', description: 'keepalived is gone (keepalived.service\'s ExecStopPost guard): after a BACKUP, FAULT or STOP, also release the VIPs and virtual MAC interfaces keepalived.conf (keepalived.config) names, which a keepalived killed with SIGKILL leaves behind'},
  },
  args: [
    {name: 'type', description: 'INSTANCE or GROUP (from keepalived notify), or master|backup|fault|stop'},
    {name: 'name', description: 'instance or sync group name'},
    {name: 'state', description: 'MASTER, BACKUP, FAULT, STOP or DELETED'},
    {name: 'priority', description: 'the instance priority (0 for groups)'},
  ],
  exitAtOnce: true,
  render: renderNotify,
  async run(inv) {
    // Arguments first: a bad call touches nothing, not even the config.
    const event = parseNotifyArgs(inv.args)
    if ('error' in event) throw usageError(event.error, `usage: ${NOTIFY_USAGE}`)
    const {config} = inv.ctx.config()
    const log = inv.ctx.logger()
    const decision = decideEvent(event, config.keepalived.instance)
    if (decision.action === 'ignore') {
      log.info({event}, `ignored: ${decision.reason}`)
      return {result: {ignored: true, reason: decision.reason, event}, exit: ExitCode.OK}
    }
    const deps = createTransitionDeps(config, log)
    try {
      const releaseVips = inv.flags['release-vips'] === true
      const {followUp, ...result} = await handleTransition(deps, {role: decision.role, source: releaseVips ? 'guard' : 'notify', instance: event.name ?? config.keepalived.instance, order: ownOrderKey(), releaseVips})
      // The detached checks ran after the lock was released (a take-over did not wait); report them with the rest.
      const after = followUp ? await followUp : []
      const steps = [...result.steps, ...after]
      const exit = result.exit === ExitCode.OK && after.some((s) => s.status === 'failed') ? ExitCode.PARTIAL : result.exit
      return {result: {...result, steps, exit}, exit}
    } finally {
      deps.close()
    }
  },
}
