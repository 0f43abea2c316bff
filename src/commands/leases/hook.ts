import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../../cli/base-command.js'
import {leasesHookCommand} from '../../cli/commands/leases-hook.js'

/** oclif shim: help text here, everything else in src/cli/commands/leases-hook.ts. */
const shape = oclifShape(leasesHookCommand)

export default class LeasesHook extends BaseCommand {
  static summary = 'dnsmasq --dhcp-script: push each lease change to the peer at once.'
  static description = `dnsmasq runs its lease script as SCRIPT add|old|del MAC-or-DUID IP [HOSTNAME] (details in DNSMASQ_* variables), one call at a time. --dhcp-script takes a path without arguments, so point it at a two-line wrapper:
  #!/bin/sh
  exec /usr/bin/ha-tool leases hook "$@"     (HA_TOOL_CONFIG selects another config)

add, old, del  with \`ha-tool daemon\` running, the change is queued (dnsmasq.queue_dir, at most dnsmasq.queue_max batches) and the hook returns at once: the daemon sends the queue over one ssh connection it holds. Without the daemon the change goes to the peer over ssh (\`<dnsmasq.peer_command> leases receive\`), within dnsmasq.hook_timeout_ms. When the peer cannot be reached the change is queued in dnsmasq.queue_dir and sent with the next hook run or \`leases sync\`; for 30 s after a failure further changes are queued without trying, so a dead peer never holds dnsmasq's script helper up. Start-up \`old\` events (DNSMASQ_DATA_MISSING=1) are not pushed: nothing changed.
init           (dnsmasq --leasefile-ro only) prints the database dnsmasq starts from: this node's lease file merged with the peer's (when it answers within the hook timeout).
With dnsmasq.leasefile_ro = true the hook also keeps dnsmasq.leases itself (dnsmasq does not write it then).
Other actions (tftp, arp-add, arp-del, relay-snoop) are ignored, as dnsmasq(8) asks. A hostname, client id or other field the lease file cannot hold (a space or newline, above all) refuses the event: exit 2, logged, nothing written or queued. Otherwise the exit status is 0 unless the call itself is wrong or the config is broken.

${EXIT_CODES_HELP}`
  static examples = [
    'dnsmasq --dhcp-script=/etc/ha-tool/dnsmasq-hook',
    '<%= config.bin %> leases hook add 52:54:00:12:34:56 192.168.1.150 laptop',
  ]
  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(leasesHookCommand)
  }
}
