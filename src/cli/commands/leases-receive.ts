import {readStdin} from '../../wiring/cli.js'
import {receiveLeases, type ReceiveResult} from '../../app/leases/receive-leases.js'
import {ExitCode} from '../../core/exit-codes.js'
import type {CommandSpec} from '../command.js'
import {withLeaseDeps} from '../lease-deps.js'
import {renderLeasesReceive} from '../render/leases-receive.js'

/** `ha-tool leases receive`: what the peer's hook runs over ssh, once per lease change (fast path too). */
export const leasesReceiveCommand: CommandSpec<ReceiveResult> = {
  usage: 'ha-tool leases receive [--config PATH] < "add|del LEASE-LINE" lines',
  flags: {},
  render: renderLeasesReceive,
  async run(inv) {
    const input = await readStdin()
    return {result: await withLeaseDeps(inv, (deps) => receiveLeases(deps, input)), exit: ExitCode.OK}
  },
}
