import type {ConntrackdConf} from './config.js'

/** The conntrackd client requests ha-tool drives, with their flag. */
export const CONNTRACKD_ACTIONS = {
  commit: {flag: '-c', what: 'commit the external cache into the kernel table'},
  flush: {flag: '-f', what: 'flush the internal and external caches'},
  'flush-internal': {flag: '-f internal', what: 'flush the internal cache'},
  'resync-kernel': {flag: '-R', what: 'resync the internal cache with the kernel table'},
  'bulk-send': {flag: '-B', what: 'send a bulk update of this node\'s flows to the peer'},
  'request-resync': {flag: '-n', what: 'ask the peer for a full resync'},
  purge: {flag: '-t', what: 'flush the kernel table after PurgeTimeout (zombie entries)'},
  stats: {flag: '-s', what: 'read the statistics'},
  kill: {flag: '-k', what: 'stop the daemon'},
} as const

export type ConntrackdAction = keyof typeof CONNTRACKD_ACTIONS

const SYNC_ONLY: readonly ConntrackdAction[] = ['commit', 'flush', 'flush-internal', 'resync-kernel', 'bulk-send', 'request-resync', 'purge']

/**
 * Why `action` does nothing in this configuration, or undefined when it does something.
 * conntrackd answers these no-ops with exit 0, so without this ha-tool would report work
 * that never happened (conntrack-tools src/sync-mode.c, src/external_inject.c, src/sync-alarm.c).
 */
export function noopReason(conf: ConntrackdConf, action: ConntrackdAction): string | undefined {
  if (conf.kind === 'stats' && SYNC_ONLY.includes(action)) {
    return 'conntrackd.conf has no Sync section: conntrackd only keeps statistics and replicates nothing'
  }
  if (action === 'commit' && !conf.externalCache) {
    return 'DisableExternalCache is on: peer entries go into the kernel as they arrive, there is nothing to commit'
  }
  if ((action === 'bulk-send' || action === 'request-resync') && conf.mode === 'ALARM') {
    return 'ALARM mode has no resync: it re-sends every flow each RefreshTime instead'
  }
  return undefined
}
