import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../../cli/base-command.js'
import {configExampleCommand} from '../../cli/commands/config-example.js'

/** oclif shim: help text here, everything else in src/cli/commands/config-example.ts. */
const shape = oclifShape(configExampleCommand)

export default class ConfigExample extends BaseCommand {
  static summary = 'Print a known-good, commented configuration for keepalived, networkd, conntrackd, dnsmasq (and its dhcp-script), nftables, ha-tool or the peer\'s authorized_keys.'
  static description = `Prints a working configuration for one daemon of the pair (two gateways sharing one dynamic WAN address, a VIP on the LAN), built from the values in the ha-tool config: interfaces, tables and rule priorities, VIP, state directory. Every setting that matters has a comment saying why; \`ha-tool doctor\` checks the same things on a running node.

Without a config file the defaults are used and per-node values are marked PLACEHOLDER.

  keepalived   keepalived.conf: script security, D-Bus, the notify FIFO read by \`ha-tool daemon\`
               (--mode fifo, the default) or \`ha-tool notify\` scripts (--mode script), track_file
  networkd     the WAN, LAN and sync .network files and a networkd.conf drop-in, each after a "# file:" line;
               --file wan|lan|sync|conf prints one of them alone, --output-dir DIR writes them (or the
               --file one) under DIR at their install paths (DIR/etc/systemd/network/10-<wan>-wan.network,
               ...; "/" installs them) and prints the paths written. The WAN asks for IPv6 too unless
               wan.dhcpv6 (or wan.ipv6) is false.
  conntrackd   conntrackd.conf: FTFW over the sync link, external cache kept for the commit at promotion
  dnsmasq      LAN DHCP/DNS handing out the VIP as router and DNS server; its dhcp-script is the shipped
               /usr/lib/ha-tool/dnsmasq-script for the default state.dir, doctor.binary and config path,
               else /etc/ha-tool/dnsmasq-script (install the dnsmasq-script example there)
  dnsmasq-script  dnsmasq's dhcp-script wrapper (\`ha-tool leases hook\`) with this config's state.dir,
               ha-tool path and --config written in (dnsmasq passes it no arguments of its own)
  nftables     masquerade, the LAN->LAN forward drop, and what the BACKUP's WAN silence table looks like
  ha-tool      the ha-tool config itself, every key with its documentation
  authorized-keys  the line for the OTHER node's /root/.ssh/authorized_keys: this node's key may run
               only ha-tool's receiving side there (forced command \`ha-tool peer serve\`, docs/peer.md)

${EXIT_CODES_HELP}`
  static examples = [
    '<%= config.bin %> config example keepalived > /etc/keepalived/keepalived.conf',
    '<%= config.bin %> config example keepalived --mode script',
    '<%= config.bin %> config example networkd --config /etc/ha-tool/config.toml',
    '<%= config.bin %> config example networkd --file wan',
    '<%= config.bin %> config example networkd --output-dir /',
    '<%= config.bin %> config example ha-tool > /etc/ha-tool/config.toml',
    '<%= config.bin %> config example dnsmasq-script --config /etc/ha-tool/gw.toml > /etc/ha-tool/dnsmasq-script',
  ]
  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(configExampleCommand)
  }
}
