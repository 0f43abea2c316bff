import {bool, int, str} from '../spec.js'

export const conntrackd = {
  enabled: bool(false, 'drive conntrackd on transitions (commit, flush, resync, bulk send)'),
  config: str('/etc/conntrackd/conntrackd.conf', 'conntrackd.conf passed with -C; its mode and socket are read from it'),
  binary: str('conntrackd', 'the conntrackd program'),
  start_on_backup: bool(true, 'start conntrackd (conntrackd -d -C <config>) on BACKUP when it is not running'),
  timeout_ms: int(10000, 100, 600000, 'how long one conntrackd command may take'),
} as const
