import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../cli/base-command.js'
import {notifyCommand} from '../cli/commands/notify.js'

/** oclif shim: help text here, everything else in src/cli/commands/notify.ts. */
const shape = oclifShape(notifyCommand)

export default class Notify extends BaseCommand {
  static summary = 'Converge this node to the VRRP state keepalived reports (keepalived notify hook).'
  static description = `keepalived runs this on every state change. Two forms:

  notify "/usr/sbin/ha-tool notify --config /etc/ha-tool/config.toml"
      keepalived appends TYPE NAME STATE PRIORITY (INSTANCE|GROUP, the instance or group name,
      MASTER|BACKUP|FAULT|STOP|DELETED, the priority; old versions append only three).
  notify_master "/usr/sbin/ha-tool notify master"   (and notify_backup/notify_fault/notify_stop)
      the state is the one word written in the config.

Flags go before the arguments, because keepalived appends its own after the configured command.

What it does, converging rather than toggling (a second run changes nothing):
  MASTER   lift the BACKUP WAN drop, bring the WAN link up (wan.link = "down-on-backup"), ask
           networkd to renew (wan.renew = "networkd"), wait for carrier, an address and a
           default route in table wan.table, then make "to all lookup <wan.table> priority
           <wan.rule_priority> protocol <wan.rule_protocol>" exist exactly once.
  BACKUP, FAULT, STOP (DELETED counts as STOP)
           remove every copy of that rule (rules of other protocols are never touched), then take the WAN link down (down-on-backup) or
           drop all WAN traffic with an nftables netdev table (keep-up, wan.silence).
conntrackd and dnsmasq steps run in their slots when those sections are enabled.

keepalived starts notify scripts without waiting, so hooks can run out of order: each run takes
the node's lock and records when keepalived spawned it; a run spawned before the last applied one
does nothing. Events for other instances than keepalived.instance are logged and ignored.
MASTER_RX_LOWER_PRI and *_PRIORITY events are not role changes and are ignored.

keepalived.service's guard (scripts/packaging/keepalived.service.d/ha-tool-guard.conf) runs
  ha-tool notify --release-vips stop
from ExecStopPost=, so a keepalived that dies without sending STOP (kill -9, a crash) still leaves
this node converged to STOP, with the VIPs and virtual MACs keepalived.conf names released.

The plan is logged (pino JSON on stderr or log.file) before it is applied, and the result is
recorded in <state.dir>/state.json for ha-tool status.

${EXIT_CODES_HELP}`
  static examples = [
    '<%= config.bin %> notify --release-vips stop',
    '<%= config.bin %> notify INSTANCE VI_gateway MASTER 250',
    '<%= config.bin %> notify --config /etc/ha-tool/gw.toml backup',
    '<%= config.bin %> notify GROUP G1 FAULT 0 --json',
  ]
  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(notifyCommand)
  }
}
