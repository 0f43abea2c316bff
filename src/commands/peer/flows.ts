import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../../cli/base-command.js'
import {peerFlowsCommand} from '../../cli/commands/peer-flows.js'

/** oclif shim: help text here, everything else in src/cli/commands/peer-flows.ts. */
const shape = oclifShape(peerFlowsCommand)

export default class PeerFlows extends BaseCommand {
  static summary = 'Print this node\'s kernel conntrack table as flow records, for the returning node\'s failback check.'
  static hidden = true
  static description = `A first line "R<TAB>ROLE" (the role this node last applied), then one line per flow of the kernel table (conntrack -L, IPv4 and IPv6): "K<TAB>tuple" when conntrackd replicates it (its internal cache holds it too), "L<TAB>tuple" when it does not (the node's own or filtered traffic). The tuple is the protocol and the original direction's addresses, ports or ICMP type/code/id. The other node runs this over the peer port and compares it with its external cache (docs/failback.md).

${EXIT_CODES_HELP}`
  static examples = ['<%= config.bin %> peer flows']

  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(peerFlowsCommand)
  }
}
