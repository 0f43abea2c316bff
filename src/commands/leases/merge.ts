import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../../cli/base-command.js'
import {leasesMergeCommand} from '../../cli/commands/leases-merge.js'

/** oclif shim: help text here, everything else in src/cli/commands/leases-merge.ts. */
const shape = oclifShape(leasesMergeCommand)

export default class LeasesMerge extends BaseCommand {
  static summary = 'Merge dnsmasq lease files semantically (what `sort -u` gets wrong).'
  static description = `Reads every FILE (dnsmasq --dhcp-leasefile format), checks each line, and writes one database that dnsmasq can start from:
  - one lease per address: the later expiry wins (expiry 0 = infinite beats all);
  - one address per client in each subnet (client id when there is one, else the MAC; IPv6: DUID + IAID): the newest lease is kept. A client keeps a lease in each subnet (dnsmasq gives one per dhcp-range, and a DHCPv6 IA an address per prefix); subnets are dnsmasq.subnets, lan.address's prefix and --subnet, and an address outside them all counts as in its /24 (IPv4) or /64 (IPv6);
  - expired leases are dropped; IPv6 leases keep the server DUID line (the first FILE's);
  - order: IPv4 by address, the duid line, IPv6 by address; the same inputs in any order give the same bytes.
A malformed line is an error naming FILE:LINE; a FILE whose last line lacks its newline is a truncated copy and is refused. Nothing is written then.
When dnsmasq.lease_max is set in the config (dnsmasq's dhcp-lease-max), a result over it is refused: dnsmasq would not start.

Without -o the merged file goes to stdout (with --json: the report, the file in "database"). With -o OUT the file is replaced atomically and a report relative to the first FILE is printed: added, updated, dropped (expired, lost a conflict) and conflicts (two clients on one address, one client on two in one subnet).

Merging a file into a RUNNING dnsmasq's lease file does nothing useful (dnsmasq reads it only at start and overwrites it): use \`ha-tool leases sync\`.

${EXIT_CODES_HELP}`
  static examples = [
    '<%= config.bin %> leases merge /var/lib/misc/dnsmasq.leases /tmp/peer.leases -o /tmp/merged.leases',
    '<%= config.bin %> leases merge a.leases b.leases > merged.leases',
    '<%= config.bin %> leases merge a.leases b.leases -o out.leases --json',
  ]
  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(leasesMergeCommand)
  }
}
