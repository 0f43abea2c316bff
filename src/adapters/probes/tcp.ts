import {connect} from 'node:net'
import type {Target} from '../../core/health/targets.js'
import {familyOf} from '../../core/health/targets.js'
import {describeError, monoMs, type ProbeOptions, type ProbeOutcome, settleOnce, sourceFor} from './types.js'

/** A TCP connect: healthy when the handshake completes; the connection is closed at once. */
export function tcpProbe(target: Extract<Target, {kind: 'tcp'}>, opts: ProbeOptions): Promise<ProbeOutcome> {
  const started = monoMs()
  const family = familyOf(target.host)
  const src = sourceFor(opts.source, family)
  if (src.error) return Promise.resolve({ok: false, ms: 0, detail: src.error})
  const socket = connect({host: target.host, port: target.port, family, ...(src.address ? {localAddress: src.address} : {})})
  const s = settleOnce(opts, started, () => socket.destroy())
  socket.once('connect', () => s.done(true, `connected in ${(monoMs() - started).toFixed(1)} ms`))
  socket.once('error', (e: NodeJS.ErrnoException) => s.done(false, describeError(e)))
  return s.promise
}
