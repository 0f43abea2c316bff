import {HaError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import {emptyLeaseTable, parseLeaseFile} from '../../core/leases/parse.js'
import type {LeaseTable} from '../../core/leases/table.js'
import {applyLeases, type ApplyResult} from './apply-leases.js'
import {type LeaseDeps, markSync, peerLeasesPath} from './deps.js'
import {flushQueue} from './push-leases.js'

export type SyncResult = ApplyResult & {
  peer: string
  peerLeases: number
  /** Queued lease changes delivered now. */
  flushed: number
  /** Still queued (the peer did not take them), and set aside (refused by the peer: see dnsmasq.queue_dir/rejected). */
  queue: {pending: number; setAside: number; dir: string; error?: string}
}

export const LEASES_LOCK = 'leases.lock'

/** What the network half of a sync brought back: the peer's table, and how the queue push went. */
export type PeerFetch = Pick<SyncResult, 'flushed' | 'queue'> & {peer: LeaseTable}

/**
 * `leases sync`: push what the hook queued, fetch the peer's lease file over ssh, merge, and apply
 * it so dnsmasq sees it (see applyLeases). Peer unreachable: exit 69 and the local file untouched;
 * a malformed or truncated peer file is refused, named, and nothing is written.
 */
export async function syncLeases(deps: LeaseDeps, opts: {allowRestart?: boolean} = {}): Promise<SyncResult> {
  return applyFromPeer(deps, await fetchFromPeer(deps), opts)
}

/**
 * The network half of a sync: push what the hook queued (as the daemon's replicator does, without
 * the lock), then fetch the peer's table. It writes nothing here, so it holds no lock: a promotion
 * may start dnsmasq (under the lock) while a dead peer keeps this waiting.
 */
export async function fetchFromPeer(deps: LeaseDeps): Promise<PeerFetch> {
  let flushed = 0
  let error: string | undefined
  try {
    flushed = (await flushQueue(deps, deps.config.dnsmasq.ssh_timeout_ms)).sent
  } catch (e) {
    error = (e as Error).message
    deps.log.warn({err: error}, 'queued lease changes still pending')
  }
  const queue = {pending: deps.queue.list().length, setAside: deps.queue.setAsideList().length, dir: deps.config.dnsmasq.queue_dir, ...(error ? {error} : {})}
  try {
    return {peer: await fetchPeerLeases(deps), flushed, queue}
  } catch (e) {
    markSync(deps, 'fromPeer', false, (e as Error).message)
    throw e
  }
}

/** The local half of a sync: merge the fetched table under the leases lock, the way dnsmasq will see it. */
export async function applyFromPeer(deps: LeaseDeps, fetched: PeerFetch, opts: {allowRestart?: boolean} = {}): Promise<SyncResult> {
  const lock = await deps.lock(LEASES_LOCK, deps.config.dnsmasq.command_timeout_ms + deps.config.dnsmasq.ssh_timeout_ms)
  try {
    let applied: ApplyResult
    try {
      applied = await applyLeases(deps, [fetched.peer], {allowRestart: opts.allowRestart ?? true})
      markSync(deps, 'fromPeer', true)
    } catch (e) {
      markSync(deps, 'fromPeer', false, (e as Error).message)
      throw e
    }
    return {...applied, peer: deps.config.dnsmasq.peer, peerLeases: fetched.peer.count, flushed: fetched.flushed, queue: fetched.queue}
  } finally {
    await lock.release()
  }
}

/** The peer's lease file, parsed; a copy caught mid-rewrite (no final newline) is fetched once more. */
export async function fetchPeerLeases(deps: LeaseDeps, timeoutMs?: number): Promise<LeaseTable> {
  const c = deps.config.dnsmasq
  const path = peerLeasesPath(deps.config)
  const name = `${c.peer}:${path}`
  for (let attempt = 1; ; attempt++) {
    const r = await deps.peer.run(['cat', '--', path], {timeoutMs})
    if (r.code !== 0) {
      // No file yet on the peer: it has no leases to give.
      if (/No such file/.test(r.stderr)) return emptyLeaseTable(name)
      throw new HaError(`${name}: cannot read the peer's lease file: exit ${r.code}${r.stderr ? `: ${r.stderr.split('\n').pop()}` : ''}`, ExitCode.FAILED)
    }
    const truncated = r.stdout.length > 0 && r.stdout[r.stdout.length - 1] !== 10
    if (truncated && attempt < 2) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      continue
    }
    return parseLeaseFile(r.stdout, name)
  }
}
