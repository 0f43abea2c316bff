import {readStdin} from '../../adapters/stdin.js'
import {receiveLeases} from '../../app/leases/receive-leases.js'
import {ExitCode} from '../../core/exit-codes.js'
import type {HotCommand} from '../hot.js'
import {withLeaseDeps} from './lease-deps.js'

/** `ha-tool leases receive`: what the peer's hook runs over ssh, once per lease change (fast path too). */
export const leasesReceiveCommand: HotCommand = {
  usage: 'ha-tool leases receive [--config PATH] < "add|del LEASE-LINE" lines',
  flags: {},
  async run(inv) {
    const input = await readStdin()
    const r = await withLeaseDeps(inv, (deps) => receiveLeases(deps, input))
    return {result: r, exit: ExitCode.OK, text: `${r.events} change${r.events === 1 ? '' : 's'} received: ${r.method}`}
  },
}
