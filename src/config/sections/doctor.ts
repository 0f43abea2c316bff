import {list, str} from '../spec.js'
import {absolute} from './paths.js'

/** Where `ha-tool doctor` looks for the other daemons' settings (all under --root). */
export const doctor = {
  binary: str('/usr/sbin/ha-tool', 'the ha-tool path keepalived.conf calls; its whole directory chain must pass keepalived\'s script security', {check: absolute}),
  networkd_dir: str('/etc/systemd/network', 'directory of the .network files'),
  networkd_conf: str('/etc/systemd/networkd.conf', 'networkd.conf (its networkd.conf.d/ drop-ins are read too)'),
  dnsmasq_conf: str('/etc/dnsmasq.conf', 'dnsmasq config file (conf-dir= lines in it are followed)'),
  nftables_conf: str('/etc/nftables.conf', 'nftables ruleset file (include lines are followed); with --root / the live ruleset is read instead'),
  skip: list([], 'checks to leave out, by id (see `ha-tool doctor --json`)'),
} as const
