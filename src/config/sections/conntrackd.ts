import {bool, int, list, str} from '../spec.js'

export const conntrackd = {
  enabled: bool(false, 'drive conntrackd on transitions (commit, flush, resync, bulk send)'),
  config: str('/etc/conntrackd/conntrackd.conf', 'conntrackd.conf passed with -C; its mode and socket are read from it'),
  binary: str('conntrackd', 'the conntrackd program'),
  start_on_backup: bool(true, 'start conntrackd (conntrackd -d -C <config>) on BACKUP when it is not running'),
  start_command: list([], 'how BACKUP starts conntrackd when it is not running; [] = <binary> -d -C <config>; use ["systemctl", "start", "conntrackd"] when systemd manages it'),
  timeout_ms: int(10000, 100, 600000, 'how long one conntrackd command may take'),
  commit_timeout_ms: int(30000, 100, 600000, 'how long `conntrackd -c` may take: it is synchronous and large tables take longer'),
  verify_failback: bool(true, 'BACKUP: after `conntrackd -n`, wait for the MASTER\'s flows and report whether they all arrived'),
  verify_timeout_ms: int(1000, 0, 120000, 'how long a returning BACKUP waits for the MASTER\'s flows after -n; the transition holds the node\'s lock meanwhile, so a promotion arriving then waits too'),
  peer_exec: list([], 'runs a command on the other node, to compare its flow count with ours, e.g. ["ssh", "-o", "BatchMode=yes", "root@192.168.190.2"]; [] = no comparison'),
  peer_config: str('', 'conntrackd.conf path on the other node; "" = the same as conntrackd.config'),
  sync_tolerance_percent: int(2, 0, 100, 'flows a returning BACKUP may lack (percent of the MASTER\'s, at least 2) and still count as in sync: flows open and close while counting'),
} as const
