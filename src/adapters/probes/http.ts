import {request as httpRequest} from 'node:http'
import type {LookupFunction} from 'node:net'
import {request as httpsRequest} from 'node:https'
import type {Target} from '../../core/health/targets.js'
import {familyOf} from '../../core/health/targets.js'
import {describeError, monoMs, type ProbeOptions, type ProbeOutcome, settleOnce, sourceFor} from './types.js'
import {viaWan} from './wan-route.js'

/** A GET, healthy when the status is in the configured range; the body is not read. */
export function httpProbe(target: Extract<Target, {kind: 'http'}>, opts: ProbeOptions): Promise<ProbeOutcome> {
  const family = familyOf(target.host)
  return viaWan(target.host, family, opts, (address, o) => get(target, family, address, o))
}

/** The GET, connecting to `address` (the checked one on the WAN path; the URL keeps its host name for Host and TLS). */
function get(target: Extract<Target, {kind: 'http'}>, family: 4 | 6, address: string, opts: ProbeOptions): Promise<ProbeOutcome> {
  const started = monoMs()
  const src = sourceFor(opts.source, family)
  const pinned = address !== target.host
  const request = target.url.startsWith('https:') ? httpsRequest : httpRequest
  const req = request(target.url, {
    method: 'GET',
    agent: false,
    family,
    headers: {'user-agent': 'ha-tool-check', connection: 'close'},
    ...(src.address ? {localAddress: src.address} : {}),
    ...(pinned ? {lookup: pinnedLookup(address, family)} : {}),
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

/** A dns.lookup that answers with the one address already checked (both of lookup's callback shapes). */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_host, options, cb) => {
    const done = cb as (...args: unknown[]) => void
    if (options.all) done(null, [{address, family}])
    else done(null, address, family)
  }
}
