import {Flags} from '@oclif/core'
import {collectStatus, type NodeStatus, type PairStatus, renderPair, renderStatus} from '../app/status.js'
import {statusWiring} from '../wiring/status.js'
import {BaseCommand, EXIT_CODES_HELP} from '../cli/base-command.js'
import {ExitCode} from '../core/exit-codes.js'

export default class Status extends BaseCommand<typeof Status> {
  static summary = 'Show this node\'s role, last transitions, WAN, conntrackd, leases, health and maintenance; --peer adds the other node.'
  static description = `One view of the node: its VRRP role (asked of keepalived over D-Bus when enable_dbus is on, else the last transition ha-tool applied), the last transitions with each step and its duration, the WAN link and address, the WAN rule and table default route, conntrackd's cache counts, the lease count and the age of the last lease sync, the health monitor's verdict and maintenance mode.

A part that cannot be read says "unavailable: why" and the rest is still shown. --peer runs \`ha-tool status --json\` on the other node (dnsmasq.peer, ssh in BatchMode) and shows both side by side; an unreachable peer exits 69 after printing this node.

--json prints {version: 1, node, at, role, transitions, wan, conntrackd, leases, health, maintenance}, each section {available: true, ...} or {available: false, reason}; with --peer, {local, peer}. See the README ("status and doctor") for every field.

${EXIT_CODES_HELP}`
  static flags = {
    peer: Flags.boolean({description: 'also show the other node (ssh to dnsmasq.peer)', default: false}),
  }
  static examples = ['<%= config.bin %> status', '<%= config.bin %> status --json', '<%= config.bin %> status --peer']

  async run(): Promise<NodeStatus | PairStatus> {
    const {config} = this.ctx.config()
    const wiring = statusWiring(config, this.ctx.logger())
    const local = await collectStatus(wiring.deps)
    if (!this.flags.peer) return this.finish({result: local, exit: ExitCode.OK, text: renderStatus(local)})
    const pair: PairStatus = {local, peer: await wiring.peer()}
    return this.finish({result: pair, exit: 'version' in pair.peer ? ExitCode.OK : ExitCode.UNAVAILABLE, text: renderPair(pair)})
  }
}
