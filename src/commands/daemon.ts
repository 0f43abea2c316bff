import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../cli/base-command.js'
import {daemonCommand} from '../cli/commands/daemon.js'

/** oclif shim: help text here, everything else in src/cli/commands/daemon.ts. */
const shape = oclifShape(daemonCommand)

export default class Daemon extends BaseCommand {
  static summary = 'Run resident: ordered transitions from keepalived\'s notify FIFO, health monitor, lease sync, watchdog.'
  static description = `Two ways to run it:

  As keepalived's FIFO script (keepalived starts and stops it; the FIFO path is appended):
      global_defs {
        vrrp_notify_fifo /run/ha-tool/notify.fifo
        vrrp_notify_fifo_script "/usr/sbin/ha-tool daemon --config /etc/ha-tool/config.toml"
      }
    keepalived SIGTERMs it on every reload and when it stops; it keeps reading until keepalived
    closes the FIFO, so the STOP events are still applied, then exits.

  As its own systemd service (ha-tool-daemon.service) reading keepalived.fifo from the config
  (default <state.dir>/notify.fifo):
      global_defs { vrrp_notify_fifo /run/ha-tool/notify.fifo }     (no fifo script)
    It outlives keepalived: it reopens the FIFO when keepalived recreates it on reload, and
    its watchdog converges this node to STOP and releases the VIPs keepalived left behind when
    keepalived dies without sending STOP (kill -9, a crash), which keepalived itself cannot do.
    It knows at once: the FIFO's write end closes, and the process table (keepalived.pidfile is
    only a hint) shows no keepalived in this network namespace. The VIPs come from keepalived.config
    when readable, else from the kernel (keepalived's VMAC interfaces, vrrp.*).
    Started with a FIFO argument by anything but keepalived (a shell), it runs this way too.

FIFO lines (INSTANCE "VI_1" MASTER 100, GROUP "G1" BACKUP 0) are applied one at a time in order;
when several arrive while a transition runs, the latest state wins. At start-up it converges to the
role keepalived reports over D-Bus (enable_dbus; keepalived.dbus = true) instead of waiting for the
next event. Without a FIFO it runs only the resident services the config enables.

Logs are pino JSON on stderr (or log.file). On exit it prints a summary (--json for JSON).

${EXIT_CODES_HELP}`
  static examples = [
    '<%= config.bin %> daemon --config /etc/ha-tool/config.toml',
    '<%= config.bin %> daemon /run/ha-tool/notify.fifo',
  ]
  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(daemonCommand)
  }
}
