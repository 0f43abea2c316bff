import {bool, int, list, retired, str} from '../spec.js'

const absolute = (v: string) => (v.startsWith('/') ? undefined : 'an absolute path')

export const conntrackd = {
  enabled: bool(false, 'drive conntrackd on transitions (commit, flush, resync, bulk send)'),
  config: str('/etc/conntrackd/conntrackd.conf', 'conntrackd.conf passed with -C; its mode and socket are read from it'),
  binary: str('conntrackd', 'the conntrackd program'),
  socket: str('/var/run/conntrackd.ctl', 'UNIX socket (General { UNIX { Path } }) `config example conntrackd` writes; ha-tool itself reads it from conntrackd.config', {check: absolute}),
  lock_file: str('/var/lock/conntrackd.lock', 'LockFile `config example conntrackd` writes (two conntrackd on one host need two)', {check: absolute}),
  log_file: str('', 'LogFile `config example conntrackd` writes; "" = "on" (conntrackd\'s /var/log/conntrackd.log)', {check: (v) => (v === '' || v.startsWith('/') ? undefined : 'an absolute path, or "" for conntrackd\'s default')}),
  start_on_backup: bool(true, 'start conntrackd (conntrackd -d -C <config>) on BACKUP when it is not running'),
  start_command: list([], 'how BACKUP starts conntrackd when it is not running; [] = <binary> -d -C <config>; use ["systemctl", "start", "conntrackd"] when systemd manages it'),
  timeout_ms: int(10000, 100, 600000, 'how long one conntrackd command may take'),
  commit_timeout_ms: int(30000, 100, 600000, 'how long `conntrackd -c` may take: it is synchronous and large tables take longer'),
  verify_failback: bool(true, 'BACKUP: after `conntrackd -n`, wait for the MASTER\'s flows and report whether they all arrived'),
  verify_timeout_ms: int(1000, 0, 120000, 'how long a returning BACKUP waits for the MASTER\'s flows after -n; the check runs after the transition, outside the node\'s lock, so a promotion arriving then does not wait for it'),
  peer_exec: retired('the failback check reaches the MASTER through [peer] (ssh with checked host keys); delete conntrackd.peer_exec and set peer.destination, peer.identity and peer.known_hosts', list([], '')),
  peer_config: retired('the peer\'s ha-tool reads its own conntrackd.config; delete conntrackd.peer_config', str('', '')),
  failback_gate: bool(true, 'the daemon holds a returning node out of MASTER (track_file value 3) until its external cache holds the MASTER\'s flows, checked flow by flow over the peer port; needs conntrackd.enabled and verify_failback (docs/failback.md)'),
  failback_timeout_ms: int(60000, 0, 3600000, 'longest the failback gate stays closed; when it expires the gate opens anyway and the daemon logs an error naming the flows still missing'),
  sync_tolerance_percent: int(2, 0, 100, 'flows a returning BACKUP may lack (percent of the MASTER\'s, at least 2) and still count as in sync: flows open and close while counting'),
} as const
