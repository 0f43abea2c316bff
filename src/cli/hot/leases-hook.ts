import {createExec} from '../../adapters/exec.js'
import {runLeaseHook} from '../../app/leases/lease-hook.js'
import {createLeaseDeps} from '../../app/leases/real-deps.js'
import {ExitCode} from '../../core/exit-codes.js'
import type {HotCommand} from '../hot.js'

/** `ha-tool leases hook`: dnsmasq's --dhcp-script (fast path and src/commands/leases/hook.ts). */
export const leasesHookCommand: HotCommand = {
  usage: 'ha-tool leases hook [--config PATH] add|old|del MAC-or-DUID IP [HOSTNAME] | init',
  flags: {},
  async run(inv) {
    const {config} = inv.ctx.config()
    const log = inv.ctx.logger()
    const deps = createLeaseDeps(config, createExec(log), log)
    try {
      const r = await runLeaseHook(deps, inv.args, process.env)
      if (r.database !== undefined) {
        // init: dnsmasq reads the database from stdout, lease-file format, nothing else.
        return {result: r, exit: ExitCode.OK, text: r.database.endsWith('\n') ? r.database.slice(0, -1) : r.database}
      }
      return {result: r, exit: ExitCode.OK, text: ''}
    } finally {
      deps.close()
    }
  },
}
