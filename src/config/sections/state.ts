import {int, str} from '../spec.js'

export const state = {
  dir: str('/run/ha-tool', 'state file, lock and track_file; must exist before keepalived starts (tmpfiles.d)'),
  lock_timeout_ms: int(60000, 100, 3600000, 'how long a transition waits for another one on this node before giving up (exit 75)'),
} as const
