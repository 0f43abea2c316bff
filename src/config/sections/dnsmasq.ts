import {parseSubnets} from '../../core/leases/subnets.js'
import {aliasOf, bool, int, list, oneOf, str} from '../spec.js'

const argv = (v: string[]) => (v.length === 0 || v[0] === '' ? 'a non-empty argv, program first' : undefined)
const prefixes = (v: string[]) => {
  try {
    parseSubnets(v)
    return undefined
  } catch {
    return 'IPv4 or IPv6 prefixes like "192.168.1.0/24", "fd00:1::/64"'
  }
}
const cron = (v: string) => (v === '' || v.trim().split(/\s+/).length === 5 || v.trim().split(/\s+/).length === 6 ? undefined : 'a cron expression with 5 or 6 fields, or "" for off')

export const dnsmasq = {
  enabled: bool(false, 'manage dnsmasq on transitions (MASTER: pull the peer\'s leases, start dnsmasq; BACKUP: stop it) and run the scheduled lease sync'),
  leases: str('/var/lib/misc/dnsmasq.leases', 'this node\'s dnsmasq lease file (--dhcp-leasefile)'),
  peer: aliasOf('peer.destination', str('root@192.168.190.2', 'ssh destination of the other node')),
  peer_leases: str('', 'the lease file on the peer; "" = same path as leases'),
  ssh_key: aliasOf('peer.identity', str('', 'private key for ssh to the peer')),
  ssh_known_hosts: aliasOf('peer.known_hosts', str('', 'known_hosts file holding the peer\'s host key')),
  ssh_port: aliasOf('peer.port', int(22, 1, 65535, 'sshd port on the peer')),
  ssh_timeout_ms: aliasOf('peer.timeout_ms', int(5000, 100, 600000, 'timeout of one call to the peer')),
  peer_command: aliasOf('peer.command', list(['/usr/sbin/ha-tool'], 'ha-tool on the peer, as argv', argv)),
  peer_config: aliasOf('peer.config', str('', 'config file passed with --config to ha-tool on the peer')),
  subnets: list([], 'the subnets (dhcp-range) and IPv6 prefixes dnsmasq serves, as prefixes: a client may hold one lease in each (an IPv4 client per range, a DHCPv6 IA an address per prefix), so the merge keeps them all; lan.address\'s prefix is added. An address outside all of them counts as in its /24 (IPv4) or /64 (IPv6)', prefixes),
  lease_time: str('12h', 'lease time `config example dnsmasq` writes in dhcp-range: seconds, or with a unit (45m, 12h, 7d, 1w), or "infinite"', {check: (v) => (/^(\d+[smhdw]?|infinite)$/.test(v) ? undefined : 'a lease time like 3600, 45m, 12h, 7d, 1w or "infinite"')}),
  lease_max: int(1000, 0, 4294967295, 'dnsmasq\'s dhcp-lease-max (its own default is 1000; the dnsmasq example writes this value); a merge with more leases is refused, since dnsmasq would not start (0 = no limit here, and the example leaves dnsmasq at its default)'),
  apply: oneOf(['auto', 'dbus', 'restart'], 'auto', 'how a merge reaches a RUNNING dnsmasq (it reads its file only at start): dbus = AddDhcpLease (dnsmasq --enable-dbus), restart = stop_command, write the file, start_command, auto = dbus when dnsmasq answers on the bus, else restart. A stopped dnsmasq always gets the file written atomically'),
  dbus_name: str('uk.org.thekelleys.dnsmasq', 'dnsmasq\'s D-Bus service name (--enable-dbus=NAME)'),
  dbus_address: str('', 'address of the bus dnsmasq is on; "" = the system bus ($DBUS_SYSTEM_BUS_ADDRESS, else /run/dbus/system_bus_socket)'),
  dbus_timeout_ms: int(2000, 100, 60000, 'timeout of each D-Bus call to dnsmasq'),
  pid_file: str('/run/dnsmasq/dnsmasq.pid', 'dnsmasq\'s --pid-file: how ha-tool tells whether dnsmasq is running'),
  start_command: list(['systemctl', 'start', 'dnsmasq'], 'starts dnsmasq (argv, no shell)', argv),
  stop_command: list(['systemctl', 'stop', 'dnsmasq'], 'stops dnsmasq and returns once it has exited (argv, no shell)', argv),
  command_timeout_ms: int(15000, 100, 600000, 'how long start_command and stop_command may take'),
  pull_wait_ms: int(1000, 0, 600000, 'on promotion, how long dnsmasq\'s start waits for the peer\'s leases (fetched over ssh, merged into the file dnsmasq reads at start). A dead peer, the usual reason for a promotion, answers only when ssh gives up (peer.connect_timeout_ms): past this wait dnsmasq starts without them, and they reach it over D-Bus or a restart (apply) if the peer answers'),
  stop_on_backup: bool(true, 'stop dnsmasq when this node is not MASTER (active/passive); false = it keeps serving (split ranges)'),
  leasefile_ro: bool(false, 'dnsmasq runs with --leasefile-ro and `--dhcp-script=ha-tool leases hook`: the hook keeps `leases` up to date itself and answers init with it'),
  sync_schedule: str('*/5 * * * *', 'cron schedule of the daemon\'s full lease sync with the peer (catches pushes the hook missed); "" = off', {check: cron}),
  queue_dir: str('/var/lib/ha-tool/lease-queue', 'lease changes the hook could not push (peer down), retried by the next hook run and sync'),
  sync_warn_s: int(600, 1, 604800, 'lease replication counts as behind (status warns, the daemon logs a warning) when a queued change has not reached the peer for this long, a change was refused by the peer, or the last lease sync from the peer is older and the latest try failed; keep it above the sync_schedule interval'),
  queue_max: int(10000, 1, 1000000, 'most lease change batches queue_dir holds; past it the hook queues nothing more and the daemon asks the peer for a full `leases sync` instead'),
  hook_timeout_ms: int(3000, 100, 60000, 'longest one hook run waits for the peer (dnsmasq runs its script helper serially)'),
} as const
