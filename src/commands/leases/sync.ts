import {realLeaseDeps} from '../../wiring/leases.js'
import {syncLeases, type SyncResult} from '../../app/leases/sync-leases.js'
import {BaseCommand, EXIT_CODES_HELP} from '../../cli/base-command.js'
import {ExitCode} from '../../core/exit-codes.js'
import {renderMergeReport} from '../../core/leases/render.js'

export default class LeasesSync extends BaseCommand<typeof LeasesSync> {
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

${EXIT_CODES_HELP}`
  static examples = ['<%= config.bin %> leases sync', '<%= config.bin %> leases sync --json', '*/5 * * * * root /usr/bin/ha-tool leases sync --log-level warn']

  async run(): Promise<SyncResult> {
    const {config} = this.ctx.config()
    const log = this.ctx.logger()
    const deps = realLeaseDeps(config, log)
    try {
      const r = await syncLeases(deps)
      const how = {unchanged: 'nothing to change', file: `wrote ${r.file} (dnsmasq stopped)`, dbus: 'told the running dnsmasq over D-Bus', restart: `wrote ${r.file} and restarted dnsmasq`, deferred: 'dnsmasq runs without D-Bus: left for a restart'}[r.method]
      const text = renderMergeReport(r.report, `synced with ${r.peer} (${r.peerLeases} peer leases${r.flushed ? `, ${r.flushed} queued changes sent` : ''}): ${how}`)
      return this.finish({result: r, exit: ExitCode.OK, text})
    } finally {
      deps.close()
    }
  }
}
