import {connect} from 'node:net'
import type {Target} from '../../core/health/targets.js'
import {familyOf} from '../../core/health/targets.js'
import {describeError, monoMs, type ProbeOptions, type ProbeOutcome, settleOnce, sourceFor} from './types.js'
import {viaWan} from './wan-route.js'

/** A TCP connect: healthy when the handshake completes; the connection is closed at once. */
export function tcpProbe(target: Extract<Target, {kind: 'tcp'}>, opts: ProbeOptions): Promise<ProbeOutcome> {
  const family = familyOf(target.host)
  return viaWan(target.host, family, opts, (host, o) => {
    const started = monoMs()
    const local = sourceFor(o.source, family).address
    const socket = connect({host, port: target.port, family, ...(local ? {localAddress: local} : {})})
    const s = settleOnce(o, started, () => socket.destroy())
    socket.once('connect', () => s.done(true, `connected in ${(monoMs() - started).toFixed(1)} ms`))
    socket.once('error', (e: NodeJS.ErrnoException) => s.done(false, describeError(e)))
    return s.promise
  })
}
