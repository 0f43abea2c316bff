import {ExitCode} from '../../core/exit-codes.js'
import {peerFlowsText} from '../../wiring/peer.js'
import type {CommandSpec} from '../command.js'

/** The MASTER's side of the failback check: its kernel flows as records (docs/failback.md). */
export const peerFlowsCommand: CommandSpec<string> = {
  usage: 'ha-tool peer flows',
  flags: {},
  render: (text) => text.replace(/\n$/, ''),
  async run(inv) {
    return {result: await peerFlowsText(inv.ctx.config().config, inv.ctx.logger()), exit: ExitCode.OK}
  },
}
