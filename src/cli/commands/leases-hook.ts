import {type HookResult, runLeaseHook} from '../../app/leases/lease-hook.js'
import {ExitCode} from '../../core/exit-codes.js'
import type {CommandSpec} from '../command.js'
import {withLeaseDeps} from '../lease-deps.js'
import {renderLeasesHook} from '../render/leases-hook.js'

/** `ha-tool leases hook`: dnsmasq's --dhcp-script (fast path, and the shim src/commands/leases/hook.ts). */
export const leasesHookCommand: CommandSpec<HookResult> = {
  usage: 'ha-tool leases hook [--config PATH] add|old|del MAC-or-DUID IP [HOSTNAME] | init',
  flags: {},
  variadic: true,
  render: renderLeasesHook,
  async run(inv) {
    return {result: await withLeaseDeps(inv, (deps) => runLeaseHook(deps, inv.args, process.env)), exit: ExitCode.OK}
  },
}
