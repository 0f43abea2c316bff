import type {LeaseDeps} from './deps.js'
import {markSync, peerSyncArgv} from './deps.js'
import {flushQueue} from './push-leases.js'

export type Replicator = {
  /** Resolves once the queue was drained as far as the peer allows (tests). */
  drain(): Promise<void>
  stop(): Promise<void>
}

/** The longest wait after a failed drain: the peer down costs one try every this often. */
const MAX_BACKOFF_MS = 5000

/**
 * The daemon's lease replicator: while it runs, `leases hook` only queues (persisted, bounded:
 * dnsmasq.queue_dir, queue_max) and returns to dnsmasq at once; this drains the queue, everything
 * waiting in one push, over `deps.peer` (the daemon gives it a held ssh channel, ssh-channel.ts).
 * Woken by the queue directory changing, and every pollMs in case a wake-up was missed. A batch
 * the peer refuses is set aside (push-leases.ts); an unreachable peer backs off up to 5 s and
 * keeps everything queued, so a crash or restart loses nothing. After an overflow (queue full,
 * changes not queued) the peer is asked to run a full `leases sync`, which fetches this node's file.
 */
export function startReplicator(deps: LeaseDeps, opts: {pollMs?: number} = {}): Replicator {
  const c = deps.config.dnsmasq
  let running: Promise<void> | undefined
  let again = false
  let stopped = false
  let failures = 0
  let notBefore = 0
  const once = async (): Promise<void> => {
    do {
      again = false
      if (deps.now() < notBefore) return
      try {
        const r = await flushQueue(deps, c.ssh_timeout_ms)
        if (r.sent) deps.log.debug({sent: r.sent}, 'lease changes replicated')
        if (deps.queue.overflowed()) {
          const s = await deps.peer.run(peerSyncArgv(deps.config), {timeoutMs: c.command_timeout_ms + c.ssh_timeout_ms})
          if (s.code !== 0) throw new Error(`peer leases sync after a queue overflow: exit ${s.code}: ${s.stderr.split('\n').filter(Boolean).pop() ?? ''}`)
          deps.queue.clearOverflow()
          markSync(deps, 'toPeer', true)
        }
        failures = 0
      } catch (error) {
        failures++
        notBefore = deps.now() + Math.min(MAX_BACKOFF_MS, 100 * 2 ** failures)
        deps.log.warn({err: (error as Error).message, retryInMs: notBefore - deps.now()}, 'lease replication to the peer failed; changes stay queued')
        return
      }
    } while (again && !stopped)
  }
  const drain = (): Promise<void> => {
    if (stopped) return Promise.resolve()
    if (running) {
      again = true
      return running
    }
    running = once().finally(() => {
      running = undefined
      // A wake-up that came after once()'s last look at `again` (a change queued as a push ended)
      // would otherwise wait for the next poll.
      if (again && !stopped) void drain()
    })
    return running
  }
  deps.replicator.claim()
  const unwatch = deps.queue.watch(() => void drain())
  const timer = setInterval(() => void drain(), opts.pollMs ?? 1000)
  void drain()
  return {
    drain: async () => {
      notBefore = 0
      await drain()
      if (running) await running
    },
    stop: async () => {
      stopped = true
      clearInterval(timer)
      unwatch()
      if (running) await running.catch(() => {})
      deps.replicator.release()
    },
  }
}
