import {showLeases, type ShowResult} from '../../app/leases/show-leases.js'
import {ExitCode} from '../../core/exit-codes.js'
import {readLeaseBytes} from '../../wiring/leases.js'
import type {CommandSpec} from '../command.js'
import {renderLeasesShow} from '../render/leases-show.js'

export const leasesShowCommand: CommandSpec<ShowResult> = {
  usage: 'ha-tool leases show [FILE] [--json]',
  flags: {},
  args: [{name: 'file', description: 'lease file to show instead of dnsmasq.leases', required: false}],
  render: renderLeasesShow,
  async run(inv) {
    const file = inv.args[0] ?? inv.ctx.config().config.dnsmasq.leases
    const {result} = showLeases(readLeaseBytes, file, Math.floor(Date.now() / 1000), {mustExist: inv.args[0] !== undefined})
    return {result, exit: ExitCode.OK}
  },
}
