import {request as httpRequest} from 'node:http'
import {request as httpsRequest} from 'node:https'
import type {Target} from '../../core/health/targets.js'
import {familyOf} from '../../core/health/targets.js'
import {describeError, monoMs, type ProbeOptions, type ProbeOutcome, settleOnce, sourceFor} from './types.js'

/** A GET, healthy when the status is in the configured range; the body is not read. */
export function httpProbe(target: Extract<Target, {kind: 'http'}>, opts: ProbeOptions): Promise<ProbeOutcome> {
  const started = monoMs()
  const family = familyOf(target.host)
  const src = sourceFor(opts.source, family)
  if (src.error) return Promise.resolve({ok: false, ms: 0, detail: src.error})
  const request = target.url.startsWith('https:') ? httpsRequest : httpRequest
  const req = request(target.url, {
    method: 'GET',
    agent: false,
    family,
    headers: {'user-agent': 'ha-tool-check', connection: 'close'},
    ...(src.address ? {localAddress: src.address} : {}),
  })
  const s = settleOnce(opts, started, () => req.destroy())
  req.once('response', (res) => {
    const status = res.statusCode ?? 0
    res.destroy()
    const [lo, hi] = opts.httpStatus
    s.done(status >= lo && status <= hi, status >= lo && status <= hi ? `status ${status}` : `status ${status}, expected ${lo === hi ? lo : `${lo}-${hi}`}`)
  })
  req.once('error', (e: NodeJS.ErrnoException) => s.done(false, e.code?.startsWith('ERR_TLS') || e.code?.includes('CERT') ? `TLS: ${e.message}` : describeError(e)))
  req.end()
  return s.promise
}
