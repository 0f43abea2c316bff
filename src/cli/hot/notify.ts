import {ownOrderKey} from '../../adapters/process-info.js'
import {handleTransition} from '../../app/handle-transition.js'
import {createTransitionDeps} from '../../wiring/transition.js'
import {usageError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import {decideEvent} from '../../core/keepalived/event.js'
import {NOTIFY_USAGE, parseNotifyArgs} from '../../core/keepalived/notify-args.js'
import type {HotCommand} from '../hot.js'
import {renderTransition} from '../render/transition.js'

/** `ha-tool notify`: the body shared by the fast path and the oclif class (src/commands/notify.ts). */
export const notifyCommand: HotCommand = {
  usage: NOTIFY_USAGE,
  flags: {
    'release-vips': {type: 'boolean', description: 'keepalived is gone (keepalived.service\'s ExecStopPost guard): after a BACKUP, FAULT or STOP, also release the VIPs and virtual MAC interfaces keepalived.conf (keepalived.config) names, which a keepalived killed with SIGKILL leaves behind'},
  },
  async run(inv) {
    // Arguments first: a bad call touches nothing, not even the config.
    const event = parseNotifyArgs(inv.args)
    if ('error' in event) throw usageError(event.error, `usage: ${NOTIFY_USAGE}`)
    const {config} = inv.ctx.config()
    const log = inv.ctx.logger()
    const decision = decideEvent(event, config.keepalived.instance)
    if (decision.action === 'ignore') {
      log.info({event}, `ignored: ${decision.reason}`)
      return {result: {ignored: true, reason: decision.reason, event}, exit: ExitCode.OK, text: `ignored: ${decision.reason}`}
    }
    const deps = createTransitionDeps(config, log)
    try {
      const releaseVips = inv.flags['release-vips'] === true
      const result = await handleTransition(deps, {role: decision.role, source: releaseVips ? 'guard' : 'notify', instance: event.name ?? config.keepalived.instance, order: ownOrderKey(), releaseVips})
      return {result, exit: result.exit, text: renderTransition(result)}
    } finally {
      deps.close()
    }
  },
}
