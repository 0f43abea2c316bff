import {createExec} from '../../adapters/exec.js'
import {readStdin} from '../../adapters/stdin.js'
import {createLeaseDeps} from '../../app/leases/real-deps.js'
import {receiveLeases} from '../../app/leases/receive-leases.js'
import {ExitCode} from '../../core/exit-codes.js'
import type {HotCommand} from '../hot.js'

/** `ha-tool leases receive`: what the peer's hook runs over ssh, once per lease change (fast path too). */
export const leasesReceiveCommand: HotCommand = {
  usage: 'ha-tool leases receive [--config PATH] < "add|del LEASE-LINE" lines',
  flags: {},
  async run(inv) {
    const {config} = inv.ctx.config()
    const log = inv.ctx.logger()
    const deps = createLeaseDeps(config, createExec(log), log)
    try {
      const r = await receiveLeases(deps, await readStdin())
      return {result: r, exit: ExitCode.OK, text: `${r.events} change${r.events === 1 ? '' : 's'} received: ${r.method}`}
    } finally {
      deps.close()
    }
  },
}
