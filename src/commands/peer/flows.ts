import {createConntrackd, readKernelFlows} from '../../adapters/conntrackd.js'
import {createExec} from '../../adapters/exec.js'
import {collectFlowRecords} from '../../app/peer-flows.js'
import {BaseCommand, EXIT_CODES_HELP} from '../../cli/base-command.js'
import {formatFlowRecord} from '../../core/conntrack/flows.js'
import {ExitCode} from '../../core/exit-codes.js'
import {readStateFile} from '../../adapters/state-file.js'

export default class PeerFlows extends BaseCommand<typeof PeerFlows> {
  static summary = 'Print this node\'s kernel conntrack table as flow records, for the returning node\'s failback check.'
  static hidden = true
  static description = `A first line "R<TAB>ROLE" (the role this node last applied), then one line per flow of the kernel table (conntrack -L, IPv4 and IPv6): "K<TAB>tuple" when conntrackd replicates it (its internal cache holds it too), "L<TAB>tuple" when it does not (the node's own or filtered traffic). The tuple is the protocol and both directions' addresses, ports, ICMP type/code/id and zone. The other node runs this over the peer port and compares it with its external cache (docs/failback.md).

${EXIT_CODES_HELP}`
  static examples = ['<%= config.bin %> peer flows']

  async run(): Promise<void> {
    const {config} = this.ctx.config()
    const exec = createExec(this.ctx.logger())
    const c = config.conntrackd
    const {records, note} = await collectFlowRecords({
      kernelFlows: () => readKernelFlows(exec, c.timeout_ms),
      client: createConntrackd({exec, binary: c.binary, config: c.config, timeoutMs: c.timeout_ms}),
    })
    if (note) this.ctx.logger().warn(note)
    // First the role this node last applied: the returning node's gate opens when it is not MASTER.
    const role = readStateFile(config.state.dir)?.role ?? 'unknown'
    process.stdout.write(`R\t${role}\n${records.map((r) => `${formatFlowRecord(r)}\n`).join('')}`)
    process.exitCode = ExitCode.OK
  }
}
