import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../../cli/base-command.js'
import {leasesReceiveCommand} from '../../cli/commands/leases-receive.js'

/** oclif shim: help text here, everything else in src/cli/commands/leases-receive.ts. */
const shape = oclifShape(leasesReceiveCommand)

export default class LeasesReceive extends BaseCommand {
  static summary = 'Apply lease changes pushed by the peer\'s hook (run by ssh, not by hand).'
  static hidden = true
  static description = `Reads lines "add LEASE-LINE" or "del LEASE-LINE" on stdin (LEASE-LINE in dnsmasq's lease-file format), keeps the last one per address, and applies them like \`leases sync\` would, except that it never restarts dnsmasq: a running dnsmasq without D-Bus gets them at the next sync.

${EXIT_CODES_HELP}`
  static examples = ['echo "add 1767225600 52:54:00:12:34:56 192.168.1.150 laptop *" | <%= config.bin %> leases receive']
  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(leasesReceiveCommand)
  }
}
