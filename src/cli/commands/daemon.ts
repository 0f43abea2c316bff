import {daemonMode, startDaemon, type DaemonSummary} from '../../app/daemon.js'
import {notifyFifoOf} from '../../app/notify-fifo.js'
import {createDaemonDeps} from '../../wiring/daemon.js'
import {ExitCode} from '../../core/exit-codes.js'
import type {CommandSpec} from '../command.js'
import {renderDaemon} from '../render/daemon.js'

/** `ha-tool daemon`: resident until keepalived closes the FIFO or a signal stops it. */
export const daemonCommand: CommandSpec<DaemonSummary> = {
  usage: 'ha-tool daemon [FIFO] [--config PATH]',
  flags: {},
  args: [{name: 'fifo', description: 'notify FIFO path (keepalived appends it when it runs this as vrrp_notify_fifo_script)'}],
  render: renderDaemon,
  async run(inv) {
    const {config} = inv.ctx.config()
    const log = inv.ctx.logger()
    const [arg] = inv.args
    const fifo = arg ?? notifyFifoOf(config)
    const deps = createDaemonDeps(config, log)
    const mode = daemonMode(arg, deps.parentIsKeepalived)
    if (arg && mode === 'service') log.info({fifo}, 'started with a FIFO by something other than keepalived: running as its own service')
    const daemon = startDaemon(deps, {fifo, mode})
    const stop = (signal: string) => { log.info({signal}, 'stopping'); daemon.terminate() }
    process.on('SIGTERM', () => stop('SIGTERM'))
    process.on('SIGINT', () => stop('SIGINT'))
    log.info({mode, fifo: fifo ?? null}, 'daemon started')
    const summary = await daemon.done
    deps.close()
    return {result: summary, exit: ExitCode.OK}
  },
}
