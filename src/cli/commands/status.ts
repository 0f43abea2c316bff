import {createExec} from '../../adapters/exec.js'
import {collectStatus, type NodeStatus, type PairStatus, peerStatus} from '../../app/status.js'
import {createStatusDeps} from '../../app/wiring/status.js'
import {ExitCode} from '../../core/exit-codes.js'
import type {CommandSpec} from '../command.js'
import {renderStatusResult} from '../render/status.js'

export const statusCommand: CommandSpec<NodeStatus | PairStatus> = {
  usage: 'ha-tool status [--peer] [--json]',
  flags: {
    peer: {type: 'boolean', description: 'also show the other node (ssh to dnsmasq.peer)', default: false},
  },
  render: renderStatusResult,
  async run(inv) {
    const {config} = inv.ctx.config()
    const exec = createExec(inv.ctx.logger())
    const local = await collectStatus(createStatusDeps(config, exec))
    if (!inv.flags.peer) return {result: local, exit: ExitCode.OK}
    const pair: PairStatus = {local, peer: await peerStatus(exec, config)}
    return {result: pair, exit: 'version' in pair.peer ? ExitCode.OK : ExitCode.UNAVAILABLE}
  },
}
