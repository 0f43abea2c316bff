import {runLeaseHook} from '../../app/leases/lease-hook.js'
import {ExitCode} from '../../core/exit-codes.js'
import type {HotCommand} from '../hot.js'
import {withLeaseDeps} from './lease-deps.js'

/** `ha-tool leases hook`: dnsmasq's --dhcp-script (fast path and src/commands/leases/hook.ts). */
export const leasesHookCommand: HotCommand = {
  usage: 'ha-tool leases hook [--config PATH] add|old|del MAC-or-DUID IP [HOSTNAME] | init',
  flags: {},
  async run(inv) {
    const r = await withLeaseDeps(inv, (deps) => runLeaseHook(deps, inv.args, process.env))
    // init: dnsmasq reads the database from stdout, lease-file format, nothing else.
    const text = r.database === undefined ? '' : r.database.endsWith('\n') ? r.database.slice(0, -1) : r.database
    return {result: r, exit: ExitCode.OK, text}
  },
}
