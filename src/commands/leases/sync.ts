import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../../cli/base-command.js'
import {leasesSyncCommand} from '../../cli/commands/leases-sync.js'

/** oclif shim: help text here, everything else in src/cli/commands/leases-sync.ts. */
const shape = oclifShape(leasesSyncCommand)

export default class LeasesSync extends BaseCommand {
  static summary = 'Fetch the peer\'s leases over ssh, merge them, and apply them so dnsmasq sees them.'
  static description = `1. Sends lease changes the hook queued while the peer was down.
2. Fetches the peer's lease file (dnsmasq.peer_leases) with the system's ssh: BatchMode (never a prompt), ConnectTimeout from dnsmasq.ssh_timeout_ms, the key dnsmasq.ssh_key, host keys checked against dnsmasq.ssh_known_hosts.
3. Merges it into this node's file (see \`leases merge\`): a malformed or truncated peer file is refused and named, and nothing changes.
4. Applies the result the one way the local dnsmasq sees it (dnsmasq reads its lease file only at start and rewrites it on every change):
   dnsmasq stopped (BACKUP)   the file is replaced atomically;
   dnsmasq running, apply = "dbus" (or "auto" and dnsmasq answers on D-Bus, --enable-dbus)
                              each new or renewed lease goes in with AddDhcpLease, leases it lost with DeleteDhcpLease;
   dnsmasq running, apply = "restart" (or "auto" without D-Bus)
                              dnsmasq.stop_command, merge again, replace the file, dnsmasq.start_command.
Nothing is done when the merge changes nothing. The peer unreachable: exit 69, the local file untouched. Disk full or read-only: the old file is intact.
Exit 3 (partial) while queued changes could not be delivered, or the peer refused some (those are set aside in dnsmasq.queue_dir/rejected with the reason, so the rest flows).

${EXIT_CODES_HELP}`
  static examples = ['<%= config.bin %> leases sync', '<%= config.bin %> leases sync --json', '*/5 * * * * root /usr/bin/ha-tool leases sync --log-level warn']
  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(leasesSyncCommand)
  }
}
