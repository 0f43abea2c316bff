import {isEcho, parseReceived} from '../../core/leases/echo.js'
import {formatLease, tableOf} from '../../core/leases/format.js'
import {type HookEvent, parseHookEvent} from '../../core/leases/hook-event.js'
import {mergeLeaseTables} from '../../core/leases/merge.js'
import {applyLeases, readLocal} from './apply-leases.js'
import {type LeaseDeps, nowSeconds} from './deps.js'
import {flushQueue, isRefusal, pushToPeer} from './push-leases.js'
import {subnetRule} from './subnet-rule.js'
import {fetchPeerLeases, LEASES_LOCK} from './sync-leases.js'

export type HookResult = {
  action: string
  ip?: string
  /**
   * pushed: the peer has it; queued: kept for the daemon's replicator, or for the next try (peer
   * down); refused: the peer refused it (set aside); overflow: the queue was full (the peer gets a
   * full sync instead); skipped: nothing to push (or the peer's own push coming back).
   */
  push: 'pushed' | 'queued' | 'refused' | 'overflow' | 'skipped'
  /** For init: the database printed for dnsmasq. */
  database?: string
  error?: string
}

/** After a failed push, later hook runs queue at once for this long instead of waiting on ssh again. */
export const PEER_DOWN_BACKOFF_MS = 30_000

/**
 * `leases hook`, dnsmasq's --dhcp-script. dnsmasq runs it serially for every lease change, so it
 * must be quick and must not fail: a change is pushed to the peer within hook_timeout_ms, or
 * queued (peer down) and sent with the next push or sync. With --leasefile-ro it also keeps the
 * lease file itself, and `init` prints the merged database (local + peer, when the peer answers).
 */
export async function runLeaseHook(deps: LeaseDeps, args: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<HookResult> {
  const c = deps.config.dnsmasq
  let event: HookEvent
  try {
    event = parseHookEvent(args, env, nowSeconds(deps))
  } catch (error) {
    // A DHCP client's odd hostname or client id: refused, logged, nothing written or queued.
    deps.log.warn({args: args.map((a) => JSON.stringify(a).slice(0, 120)), err: (error as Error).message}, 'lease event refused')
    throw error
  }
  if (event.action === 'ignored') return {action: event.name, push: 'skipped'}
  if (event.action === 'init') return {action: 'init', push: 'skipped', database: await initDatabase(deps)}
  const ip = event.lease.ip

  if (c.leasefile_ro) await keepLocalFile(deps, event)
  // Start-up `old` events replay the table dnsmasq just read: nothing changed, nothing to push.
  if (event.action === 'old' && env.DNSMASQ_DATA_MISSING === '1') return {action: event.action, ip, push: 'skipped'}

  const line = `${event.action === 'del' ? 'del' : 'add'} ${formatLease(event.lease)}\n`
  // dnsmasq runs its script for a lease the peer pushed too (over D-Bus): that one the peer has already.
  if (isEcho(parseReceived(deps.received.read()), line.slice(0, -1), deps.now())) {
    deps.log.debug({ip}, 'lease event is the peer\'s own push coming back: not sent')
    return {action: event.action, ip, push: 'skipped'}
  }
  // The daemon's replicator drains the queue over its held ssh channel: queue and return at once.
  if (deps.replicator.alive()) {
    if (deps.queue.state().pending >= c.queue_max) {
      deps.queue.markOverflow()
      deps.log.warn({ip, queueMax: c.queue_max}, 'lease queue full: change not queued; the daemon asks the peer for a full sync')
      return {action: event.action, ip, push: 'overflow'}
    }
    deps.queue.add(line)
    return {action: event.action, ip, push: 'queued'}
  }
  const queued = deps.queue.list()
  const downSince = deps.queue.lastFailure()
  if (downSince > 0 && deps.now() - downSince < PEER_DOWN_BACKOFF_MS) {
    deps.queue.add(line)
    return {action: event.action, ip, push: 'queued', error: 'peer was unreachable moments ago'}
  }
  try {
    await pushToPeer(deps, queued.map((q) => q.text).join('') + line, c.hook_timeout_ms)
    deps.queue.remove(queued.map((q) => q.id))
    if (downSince > 0) deps.queue.clearFailure()
    return {action: event.action, ip, push: 'pushed'}
  } catch (first) {
    let error = first
    const id = deps.queue.add(line)
    if (isRefusal(first)) {
      // Reachable, but something in the batch is refused: the queue is sorted out one batch at a
      // time, refused ones set aside, so this change and those behind it still go.
      try {
        const f = await flushQueue(deps, c.hook_timeout_ms)
        if (f.setAside.includes(id)) return {action: event.action, ip, push: 'refused', error: (first as Error).message}
        return {action: event.action, ip, push: 'pushed'}
      } catch (again) {
        error = again
      }
    }
    deps.queue.markFailure(deps.now())
    deps.log.warn({ip, err: (error as Error).message}, 'lease change queued for the peer')
    return {action: event.action, ip, push: 'queued', error: (error as Error).message}
  }
}

async function keepLocalFile(deps: LeaseDeps, event: Extract<HookEvent, {lease: unknown}>): Promise<void> {
  const lock = await deps.lock(LEASES_LOCK, deps.config.dnsmasq.hook_timeout_ms)
  try {
    const t = tableOf([event.lease], 'dnsmasq hook')
    // The file is ours alone under --leasefile-ro, and dnsmasq already knows this change: file only.
    if (event.action === 'del') await applyLeases(deps, [], {allowRestart: false, fileOnly: true, removals: [{...event.lease, line: formatLease(event.lease)}]})
    else await applyLeases(deps, [t], {allowRestart: false, fileOnly: true})
  } finally {
    await lock.release()
  }
}

async function initDatabase(deps: LeaseDeps): Promise<string> {
  const local = readLocal(deps)
  const tables = [local]
  try {
    tables.push(await fetchPeerLeases(deps, deps.config.dnsmasq.hook_timeout_ms))
  } catch (error) {
    deps.log.warn({err: (error as Error).message}, 'init: peer leases unavailable, starting from the local file')
  }
  const merged = mergeLeaseTables(tables, {now: nowSeconds(deps), leaseMax: deps.config.dnsmasq.lease_max, subnets: subnetRule(deps.config), detail: false})
  return Buffer.from(merged.bytes).toString('latin1')
}
