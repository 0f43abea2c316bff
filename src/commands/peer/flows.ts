import {BaseCommand, EXIT_CODES_HELP} from '../../cli/base-command.js'
import {ExitCode} from '../../core/exit-codes.js'
import {peerFlowsText} from '../../wiring/peer.js'

export default class PeerFlows extends BaseCommand<typeof PeerFlows> {
  static summary = 'Print this node\'s kernel conntrack table as flow records, for the returning node\'s failback check.'
  static hidden = true
  static description = `A first line "R<TAB>ROLE" (the role this node last applied), then one line per flow of the kernel table (conntrack -L, IPv4 and IPv6): "K<TAB>tuple" when conntrackd replicates it (its internal cache holds it too), "L<TAB>tuple" when it does not (the node's own or filtered traffic). The tuple is the protocol and the original direction's addresses, ports or ICMP type/code/id. The other node runs this over the peer port and compares it with its external cache (docs/failback.md).

${EXIT_CODES_HELP}`
  static examples = ['<%= config.bin %> peer flows']

  async run(): Promise<void> {
    process.stdout.write(await peerFlowsText(this.ctx.config().config, this.ctx.logger()))
    process.exitCode = ExitCode.OK
  }
}
