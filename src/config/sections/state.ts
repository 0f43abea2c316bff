import {str} from '../spec.js'

export const state = {
  dir: str('/run/ha-tool', 'state file, lock and track_file; must exist before keepalived starts (tmpfiles.d)'),
} as const
