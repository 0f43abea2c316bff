import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../cli/base-command.js'
import {statusCommand} from '../cli/commands/status.js'

/** oclif shim: help text here, everything else in src/cli/commands/status.ts. */
const shape = oclifShape(statusCommand)

export default class Status extends BaseCommand {
  static summary = 'Show this node\'s role, last transitions, WAN, conntrackd, leases, health and maintenance; --peer adds the other node.'
  static description = `One view of the node: its VRRP role (asked of keepalived over D-Bus when enable_dbus is on, else the last transition ha-tool applied), the last transitions with each step and its duration, the WAN link and address, the WAN rule and table default route, conntrackd's cache counts, the lease count and the age of the last lease sync, the health monitor's verdict, maintenance mode and the failback gate (open or closed, since when, flows missing; docs/failback.md).

A part that cannot be read says "unavailable: why" and the rest is still shown. --peer runs \`ha-tool status --json\` on the other node through the peer port ([peer]: ssh in BatchMode, host key checked against peer.known_hosts, killed after peer.timeout_ms; docs/peer.md) and shows both side by side; an unreachable peer exits 69 after printing this node.

--json prints {version: 1, node, at, role, transitions, wan, conntrackd, leases, health, maintenance, failbackGate}, each section {available: true, ...} or {available: false, reason}; with --peer, {local, peer}. Every field: docs/status-and-doctor.md; the JSON Schema: schemas/status.schema.json.

${EXIT_CODES_HELP}`
  static examples = ['<%= config.bin %> status', '<%= config.bin %> status --json', '<%= config.bin %> status --peer']
  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(statusCommand)
  }
}
