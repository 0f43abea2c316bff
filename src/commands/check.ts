import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../cli/base-command.js'
import {checkCommand} from '../cli/commands/check.js'

/** oclif shim: help text here, everything else in src/cli/commands/check.ts. */
const shape = oclifShape(checkCommand)

export default class Check extends BaseCommand {
  static summary = 'Probe the health targets once: exit 0 healthy, 1 unhealthy (for keepalived\'s vrrp_script).'
  static description = `Probes every target in parallel (ICMP through the system ping, TCP connect, a DNS query to a given server, an HTTP(S) GET with the status in a range), each under its own timeout and all under an overall deadline (--timeout), and stops as soon as the verdict is certain: healthy when at least --min-ok targets answered, so one dead target does not fail a pair over. Prints one line saying why on stderr; --json prints the full report on stdout. On SIGTERM (keepalived's timeout) it stops its probes and exits 1 at once.

Targets come from --target (repeatable) or health.targets in the config. A bare host or address is ICMP; tcp://HOST:PORT, dns://SERVER[:PORT]/NAME[?type=AAAA], http://URL and https://URL the others. Without a config file at the default path, --target alone is enough.

WAN path (--via, health.via): with wan, probes leave through this node's own WAN or not at all (ICMP bound to the WAN device; TCP, DNS and HTTP from the WAN address, sent only when the kernel routes them out the WAN, so a second path cannot make a dead WAN look healthy) and run only on the MASTER, whose role is read from <state.dir>/state.json. Any other role answers "standby", healthy, without probing: a BACKUP must not send on the WAN it shares with the MASTER, and a failing WAN check would pin it in FAULT, so it could never take over. Use --via main for targets the node reaches through the routing tables as they are.

keepalived.conf:
  vrrp_script wan_ok {
    script "/usr/bin/ha-tool check"
    interval 1
    timeout 1
    fall 2
    rise 2
  }

For a check every second without a process every second, use the daemon's monitor and track_file instead (docs/health.md).

${EXIT_CODES_HELP}`
  static examples = [
    '<%= config.bin %> check',
    '<%= config.bin %> check --target 192.0.2.1 --target tcp://192.0.2.53:53 --min-ok 1 --timeout 500',
    '<%= config.bin %> check --target dns://192.0.2.53/example.com --target https://example.com/health --json',
  ]
  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(checkCommand)
  }
}
