import {HaError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import {type LeaseDeps, markSync, peerReceiveArgv} from './deps.js'

/**
 * The push protocol: lines `add LEASE-LINE` or `del LEASE-LINE` (LEASE-LINE as in the lease file)
 * on the stdin of `ha-tool leases receive` on the peer, over ssh. The receiver refuses input it
 * cannot read with exit 2 (usage): that is the batch's fault, and sending it again cannot help,
 * so it is a refusal (kind 'peer-refused'); anything else (ssh down, lock busy, disk full there)
 * may pass.
 */
export async function pushToPeer(deps: LeaseDeps, text: string, timeoutMs: number): Promise<void> {
  try {
    await push(deps, text, timeoutMs)
    markSync(deps, 'toPeer', true)
  } catch (error) {
    markSync(deps, 'toPeer', false, (error as Error).message)
    throw error
  }
}

async function push(deps: LeaseDeps, text: string, timeoutMs: number): Promise<void> {
  const r = await deps.peer.run(peerReceiveArgv(deps.config), {input: Buffer.from(text, 'latin1'), timeoutMs})
  if (r.code !== 0) {
    const why = r.stderr.split('\n').filter(Boolean).pop()
    const msg = `peer ${deps.config.dnsmasq.peer}: leases receive failed: exit ${r.code}${why ? `: ${why}` : ''}`
    if (r.code === ExitCode.USAGE) throw new HaError(msg, ExitCode.FAILED, {kind: 'peer-refused'})
    throw new HaError(msg, r.code === ExitCode.TEMPFAIL ? ExitCode.TEMPFAIL : ExitCode.FAILED)
  }
}

export const isRefusal = (error: unknown): boolean => error instanceof HaError && error.kind === 'peer-refused'

export type FlushResult = {
  /** Lease changes delivered. */
  sent: number
  /** Ids of batches the peer refused, now set aside. */
  setAside: string[]
}

/**
 * Sends everything queued, oldest first, in one ssh call. When the peer refuses it, each batch is
 * sent alone, and the ones it refuses are set aside with the reason (one bad batch no longer holds
 * up every later one). Throws when the peer cannot be reached (the rest stays queued).
 */
export async function flushQueue(deps: LeaseDeps, timeoutMs: number): Promise<FlushResult> {
  const items = deps.queue.list()
  const lines = (t: string) => t.split('\n').filter(Boolean).length
  if (items.length === 0) return {sent: 0, setAside: []}
  try {
    const text = items.map((i) => i.text).join('')
    await pushToPeer(deps, text, timeoutMs)
    deps.queue.remove(items.map((i) => i.id))
    deps.queue.clearFailure()
    return {sent: lines(text), setAside: []}
  } catch (error) {
    if (!isRefusal(error)) throw error
  }
  const out: FlushResult = {sent: 0, setAside: []}
  for (const item of items) {
    try {
      await pushToPeer(deps, item.text, timeoutMs)
      deps.queue.remove([item.id])
      out.sent += lines(item.text)
    } catch (error) {
      if (!isRefusal(error)) throw error
      deps.queue.setAside(item.id, (error as Error).message)
      out.setAside.push(item.id)
      deps.log.error({batch: item.id, err: (error as Error).message}, 'the peer refused a queued lease change: set aside')
    }
  }
  deps.queue.clearFailure()
  return out
}
