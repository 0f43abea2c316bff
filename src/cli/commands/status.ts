import {collectStatus, type NodeStatus, type PairStatus} from '../../app/status.js'
import {ExitCode} from '../../core/exit-codes.js'
import {statusWiring} from '../../wiring/status.js'
import type {CommandSpec} from '../command.js'
import {renderStatusResult} from '../render/status.js'

export const statusCommand: CommandSpec<NodeStatus | PairStatus> = {
  usage: 'ha-tool status [--peer] [--json]',
  flags: {
    peer: {type: 'boolean', description: 'also show the other node (over the peer port: ssh to peer.destination)', default: false},
  },
  render: renderStatusResult,
  async run(inv) {
    const {config} = inv.ctx.config()
    const wiring = statusWiring(config, inv.ctx.logger())
    const local = await collectStatus(wiring.deps)
    if (!inv.flags.peer) return {result: local, exit: ExitCode.OK}
    const pair: PairStatus = {local, peer: await wiring.peer()}
    return {result: pair, exit: 'version' in pair.peer ? ExitCode.OK : ExitCode.UNAVAILABLE}
  },
}
