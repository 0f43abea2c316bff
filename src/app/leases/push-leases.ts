import {HaError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import {type LeaseDeps, peerReceiveArgv} from './deps.js'

/**
 * The push protocol: lines `add LEASE-LINE` or `del LEASE-LINE` (LEASE-LINE as in the lease file)
 * on the stdin of `ha-tool leases receive` on the peer, over ssh.
 */
export async function pushToPeer(deps: LeaseDeps, text: string, timeoutMs: number): Promise<void> {
  const r = await deps.peer.run(peerReceiveArgv(deps.config), {input: Buffer.from(text, 'latin1'), timeoutMs})
  if (r.code !== 0) {
    const why = r.stderr.split('\n').filter(Boolean).pop()
    throw new HaError(`peer ${deps.config.dnsmasq.peer}: leases receive failed: exit ${r.code}${why ? `: ${why}` : ''}`, r.code === ExitCode.TEMPFAIL ? ExitCode.TEMPFAIL : ExitCode.FAILED)
  }
}

/** Sends everything queued, oldest first, in one ssh call; returns how many changes went. */
export async function flushQueue(deps: LeaseDeps, timeoutMs: number): Promise<number> {
  const items = deps.queue.list()
  if (items.length === 0) return 0
  const text = items.map((i) => i.text).join('')
  await pushToPeer(deps, text, timeoutMs)
  deps.queue.remove(items.map((i) => i.id))
  deps.queue.clearFailure()
  return text.split('\n').filter(Boolean).length
}
