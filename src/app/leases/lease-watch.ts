import {isEcho, parseReceived} from '../../core/leases/echo.js'
import {diffLeaseFile, type FileSnapshot, snapshotOf, snapshotText} from '../../core/leases/file-diff.js'
import {parseLeaseFile} from '../../core/leases/parse.js'
import type {Lease} from '../../core/leases/types.js'
import type {LeaseFileSource, LeaseWatchStore} from '../../ports.js'
import type {LeaseDeps} from './deps.js'

export type LeaseWatchDeps = Pick<LeaseDeps, 'config' | 'log' | 'now' | 'queue' | 'received'> & {file: LeaseFileSource; store: Omit<LeaseWatchStore, 'watching'>}

export type LeaseWatch = {
  /** Resolves once the pid file names this process (there is a start to compare with), or at stop. */
  ready: Promise<void>
  /** Reads the file now and queues what changed (tests). */
  settle(): Promise<void>
  stop(): Promise<void>
}

export type LeaseWatchOptions = {
  /** A read counts only if the file did not change for this long after it. */
  quietMs?: number
  /** A lease missing from the file is sent as deleted only when still missing this long after (file-diff.ts). */
  confirmMs?: number
  /** How often the file's stat is compared, in case an inotify event was missed. */
  pollMs?: number
}

/**
 * The daemon's lease-file watch: dnsmasq writes its lease file for every change (after each DHCP
 * packet that changed a lease, each D-Bus AddDhcpLease/DeleteDhcpLease, each expiry), so the
 * daemon reads the changes there instead of one `leases hook` process per change, which dnsmasq
 * runs one at a time and which fell seconds behind a burst of clients on a small machine. The
 * shipped dnsmasq-script exits at once while this runs (lease-watch.pid), and leaves a mark that
 * dnsmasq runs it: before that mark nothing is replicated (a dnsmasq not set up for ha-tool's
 * replication is only watched), nor is the pid file claimed over a file that holds leases. Each
 * change goes to the persisted queue (the replicator sends it over the held channel), then the
 * snapshot of what was queued is saved in state.dir: a restart compares the file with it, so
 * nothing is lost (at worst something is sent twice). The peer's own pushes coming back (dnsmasq
 * rewrites the file for them too) are dropped (core/leases/echo.ts).
 * Not with dnsmasq.leasefile_ro: dnsmasq then writes no file, and the hook does everything.
 */
export function startLeaseWatch(deps: LeaseWatchDeps, opts: LeaseWatchOptions = {}): LeaseWatch {
  const quietMs = opts.quietMs ?? 10
  const confirmMs = opts.confirmMs ?? 250
  const {file, store, log} = deps
  let snapshot: FileSnapshot | undefined = loadSnapshot(deps)
  let pending = new Map<string, number>()
  let seen = store.wrapperSeen()
  let lastKey: string | undefined
  let dirty = false
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let timerAt = 0
  let running: Promise<void> | undefined
  let again = false

  const schedule = (ms: number): void => {
    if (stopped) return
    const at = Date.now() + ms
    if (timer && timerAt <= at) return
    if (timer) clearTimeout(timer)
    timerAt = at
    timer = setTimeout(() => {
      timer = undefined
      void settle()
    }, ms)
  }

  /** One read; false when the file moved under it (read again after quietMs). */
  const readOnce = async (): Promise<boolean> => {
    dirty = false
    const key = file.stat()
    if (key === undefined) {
      // No file yet: no leases, so whatever dnsmasq writes first is news.
      snapshot ??= new Map()
      lastKey = undefined
      return true
    }
    const bytes = file.read()
    await new Promise((r) => setTimeout(r, quietMs))
    // dnsmasq truncates, then writes: a read during that, or one followed by a change, is not used.
    if (dirty || bytes === undefined || file.stat() !== key) return false
    if (bytes.length > 0 && bytes[bytes.length - 1] !== 10) return false
    let current: Map<string, Lease>
    try {
      current = snapshotOf(parseLeaseFile(bytes, 'lease file'))
    } catch (error) {
      log.warn({err: (error as Error).message}, 'lease file unreadable: changes not replicated until it is (the scheduled sync still runs)')
      lastKey = key
      return true
    }
    if (snapshot === undefined) {
      // No snapshot yet (first start, or state.dir on tmpfs after a boot). dnsmasq runs its script
      // one lease at a time and falls behind a burst: a change already in the file may not have had
      // its hook run yet, and once the pid file is claimed that run exits at once. So every lease in
      // the file goes to the peer once (it merges them: what it has already changes nothing there).
      // Not before the wrapper was seen, unless the file is empty: until its first run leaves the
      // mark, leases in the file are not taken as the start and the pid file is not claimed, so that
      // run pushes its lease itself (taken as the start, and the mark seen only later, that lease
      // went nowhere).
      if (!seen && current.size > 0) {
        lastKey = key
        return true
      }
      const all = [...current.values()].map((l) => `add ${l.line}`)
      if (all.length > 0) queueLines(all, deps.now())
      saveSnapshot(current)
      snapshot = current
      lastKey = key
      log.info({leases: current.size, queued: all.length}, 'lease file watch: starting from the file as it is')
      return true
    }
    if (!seen) {
      lastKey = key
      return true
    }
    const now = deps.now()
    const d = diffLeaseFile(snapshot, current, pending, now, confirmMs)
    if (d.lines.length > 0) {
      const queued = queueLines(d.lines, now)
      log.debug({changes: d.lines.length, queued}, 'lease file changed')
      saveSnapshot(d.snapshot)
    }
    snapshot = d.snapshot
    pending = d.pending
    lastKey = key
    if (d.recheckInMs !== undefined) schedule(d.recheckInMs)
    return true
  }

  const settle = (): Promise<void> => {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      do {
        again = false
        try {
          if (!(await readOnce())) {
            schedule(quietMs)
            return
          }
        } catch (error) {
          log.error({err: (error as Error).message}, 'lease file watch: change not queued; trying again')
          schedule(1000)
          return
        }
      } while (again && !stopped)
      claimOnce()
    })().finally(() => {
      running = undefined
      // Asked again after the loop's last check: run once more.
      if (again && !stopped) void settle()
    })
    return running
  }

  /**
   * Queues the lines that are not the peer's own pushes coming back; returns how many. Throws when
   * the queue cannot be written: the snapshot then stays, so the next read sends them again.
   */
  function queueLines(all: readonly string[], now: number): number {
    const received = parseReceived(deps.received.read())
    const lines = all.filter((l) => !isEcho(received, l, now))
    if (lines.length === 0) return 0
    if (deps.queue.state().pending >= deps.config.dnsmasq.queue_max) {
      deps.queue.markOverflow()
      log.warn({changes: lines.length, queueMax: deps.config.dnsmasq.queue_max}, 'lease queue full: changes not queued; the daemon asks the peer for a full sync')
    } else {
      deps.queue.add(`${lines.join('\n')}\n`)
    }
    return lines.length
  }

  function saveSnapshot(s: FileSnapshot): void {
    store.writeSnapshot(snapshotText(s))
  }

  const unwatch = file.watch(() => {
    dirty = true
    schedule(quietMs)
  })
  const poll = setInterval(() => {
    if (!seen && store.wrapperSeen()) {
      seen = true
      log.info('dnsmasq runs the shipped dnsmasq-script: lease changes are read from the lease file')
      schedule(0)
    }
    if (file.stat() !== lastKey) schedule(quietMs)
  }, opts.pollMs ?? 250)
  poll.unref()

  // The pid file only once there is a start to compare with: until then, the hook runs for every change.
  let claimed = false
  let closing = false
  let markReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => { markReady = resolve })
  const claimOnce = (): void => {
    if (claimed || closing || stopped || snapshot === undefined) return
    claimed = true
    store.claim()
    markReady()
  }
  void settle()

  return {
    ready,
    settle: async () => {
      await settle()
      if (running) await running
    },
    stop: async () => {
      closing = true
      stopped = true
      clearInterval(poll)
      if (timer) clearTimeout(timer)
      unwatch()
      markReady()
      if (running) await running.catch(() => {})
      // Released first: a change after this goes through the hook; one before it, in the last read.
      store.release()
      stopped = false
      await settle().catch(() => {})
      stopped = true
      if (timer) clearTimeout(timer)
    },
  }
}

function loadSnapshot(deps: LeaseWatchDeps): FileSnapshot | undefined {
  const bytes = deps.store.readSnapshot()
  if (bytes === undefined) return undefined
  try {
    return snapshotOf(parseLeaseFile(bytes, 'lease-watch snapshot'))
  } catch (error) {
    deps.log.warn({err: (error as Error).message}, 'lease file watch: snapshot unreadable, starting from the file as it is')
    return undefined
  }
}
