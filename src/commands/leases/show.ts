import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../../cli/base-command.js'
import {leasesShowCommand} from '../../cli/commands/leases-show.js'

/** oclif shim: help text here, everything else in src/cli/commands/leases-show.ts. */
const shape = oclifShape(leasesShowCommand)

export default class LeasesShow extends BaseCommand {
  static summary = 'List the leases in this node\'s dnsmasq lease file (or FILE).'
  static description = `Parses the lease file (default: dnsmasq.leases from the config) and prints one lease per line: address, MAC (IPv6: IAID), hostname, client id (IPv6: client DUID) and expiry in UTC ("never" for infinite leases, "(expired)" when past). A malformed line is an error naming FILE:LINE; a file without its final newline is refused as truncated. A missing default file shows no leases (a node that has not served any yet).

${EXIT_CODES_HELP}`
  static examples = ['<%= config.bin %> leases show', '<%= config.bin %> leases show /tmp/peer.leases --json']
  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(leasesShowCommand)
  }
}
