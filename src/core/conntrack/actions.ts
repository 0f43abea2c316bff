import type {ConntrackdConf} from './config.js'

/**
 * The conntrackd client requests ha-tool drives, with their flag and the request code that flag
 * makes `conntrackd` send over the daemon's UNIX socket. The client's whole protocol
 * (conntrack-tools src/local.c, do_local_request): connect, send the code as one native-endian
 * int, read the answer until the daemon closes the connection. A commit keeps the connection
 * open until the commit has finished (src/sync-mode.c, local_commit: "we want synchronous
 * commit"). Codes from include/conntrackd.h (the file is the same in 1.4.7, Debian 12's, and
 * 1.4.9; the ALL_* codes date from 2011); without an argument -c/-R/-f send the ALL_* variant (conntrack and expectations).
 */
export const CONNTRACKD_ACTIONS = {
  commit: {flag: '-c', code: 46, what: 'commit the external cache into the kernel table'}, // ALL_COMMIT
  flush: {flag: '-f', code: 45, what: 'flush the internal and external caches'}, // ALL_FLUSH_CACHE
  'flush-internal': {flag: '-f internal', code: 33, what: 'flush the internal cache'}, // CT_FLUSH_INT_CACHE
  'resync-kernel': {flag: '-R', code: 44, what: 'resync the internal cache with the kernel table'}, // ALL_RESYNC_MASTER
  'bulk-send': {flag: '-B', code: 22, what: 'send a bulk update of this node\'s flows to the peer'}, // SEND_BULK
  'request-resync': {flag: '-n', code: 23, what: 'ask the peer for a full resync'}, // REQUEST_DUMP
  purge: {flag: '-t', code: 26, what: 'flush the kernel table after PurgeTimeout (zombie entries)'}, // RESET_TIMERS
  stats: {flag: '-s', code: 21, what: 'read the statistics'}, // STATS
  kill: {flag: '-k', code: 20, what: 'stop the daemon'}, // KILL
} as const

/** `-i` / `-e` (dump the internal / external cache): CT_DUMP_INTERNAL, CT_DUMP_EXTERNAL. */
export const CONNTRACKD_DUMP_CODES = {internal: 16, external: 17} as const

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
