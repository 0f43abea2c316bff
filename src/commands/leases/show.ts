import {Args} from '@oclif/core'
import {readLeaseBytes} from '../../wiring/leases.js'
import {showLeases, type ShowResult} from '../../app/leases/show-leases.js'
import {BaseCommand, EXIT_CODES_HELP} from '../../cli/base-command.js'
import {ExitCode} from '../../core/exit-codes.js'
import {renderLeaseTable} from '../../core/leases/render.js'

export default class LeasesShow extends BaseCommand<typeof LeasesShow> {
  static summary = 'List the leases in this node\'s dnsmasq lease file (or FILE).'
  static description = `Parses the lease file (default: dnsmasq.leases from the config) and prints one lease per line: address, MAC (IPv6: IAID), hostname, client id (IPv6: client DUID) and expiry in UTC ("never" for infinite leases, "(expired)" when past). A malformed line is an error naming FILE:LINE; a file without its final newline is refused as truncated. A missing default file shows no leases (a node that has not served any yet).

${EXIT_CODES_HELP}`
  static args = {file: Args.string({description: 'lease file to show instead of dnsmasq.leases', required: false})}
  static examples = ['<%= config.bin %> leases show', '<%= config.bin %> leases show /tmp/peer.leases --json']

  async run(): Promise<ShowResult> {
    const file = this.args.file ?? this.ctx.config().config.dnsmasq.leases
    const now = Math.floor(Date.now() / 1000)
    const {result, leases} = showLeases(readLeaseBytes, file, now, {mustExist: this.args.file !== undefined})
    return this.finish({result, exit: ExitCode.OK, text: renderLeaseTable(leases, now)})
  }
}
