import {usageError} from '../../core/errors.js'
import {parseReceived, recordReceived} from '../../core/leases/echo.js'
import {parseLeaseText} from '../../core/leases/parse.js'
import {leasesOf} from '../../core/leases/table.js'
import type {Lease} from '../../core/leases/types.js'
import {applyLeases, type ApplyResult} from './apply-leases.js'
import {type LeaseDeps, markSync} from './deps.js'
import {LEASES_LOCK} from './sync-leases.js'

export type ReceiveResult = ApplyResult & {events: number}

/**
 * `leases receive` (run by the peer's hook over ssh): applies pushed `add`/`del` lease lines.
 * The last event for an address wins (dnsmasq's own script queue coalesces the same way).
 * Never restarts dnsmasq: a running dnsmasq without D-Bus gets the change at the next sync.
 */
export async function receiveLeases(deps: LeaseDeps, text: string): Promise<ReceiveResult> {
  const last = new Map<string, {action: 'add' | 'del'; line: string}>()
  let n = 0
  for (const raw of text.split('\n')) {
    if (raw === '') continue
    n++
    const sp = raw.indexOf(' ')
    const action = raw.slice(0, sp)
    if (action !== 'add' && action !== 'del') throw usageError(`leases receive: line ${n}: expected "add LEASE" or "del LEASE", got ${JSON.stringify(raw.slice(0, 40))}`)
    const line = raw.slice(sp + 1)
    const ip = line.split(' ')[2] ?? ''
    last.set(ip, {action, line})
  }
  const pick = (a: 'add' | 'del') => [...last.values()].filter((e) => e.action === a).map((e) => `${e.line}\n`).join('')
  // Anything unreadable refuses the whole push with exit 2, nothing applied: the sender sets the
  // batch aside (push-leases.ts) instead of sending it again forever.
  let adds, dels
  try {
    adds = parseLeaseText(pick('add'), 'pushed leases')
    dels = parseLeaseText(pick('del'), 'pushed deletions')
  } catch (error) {
    throw usageError(`leases receive: ${(error as Error).message}`)
  }
  const removals: Lease[] = leasesOf(dels)
  const lock = await deps.lock(LEASES_LOCK, deps.config.dnsmasq.hook_timeout_ms)
  try {
    // Recorded before they are applied: dnsmasq rewrites its lease file during each D-Bus call, and
    // the daemon's lease-file watch must already know these as the peer's own. A line recorded but
    // not applied costs nothing: only the exact same lease can match it, and the peer holds that.
    try {
      deps.received.write(recordReceived(parseReceived(deps.received.read()), [...last.values()].map((e) => `${e.action} ${e.line}`), deps.now()))
    } catch (error) {
      deps.log.warn({err: (error as Error).message}, 'could not record the received leases: dnsmasq\'s echo of them goes back to the peer')
    }
    const r = await applyLeases(deps, [adds], {allowRestart: false, removals})
    markSync(deps, 'fromPeer', true)
    return {...r, events: n}
  } finally {
    await lock.release()
  }
}

