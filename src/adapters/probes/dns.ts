import {Resolver} from 'node:dns'
import type {Target} from '../../core/health/targets.js'
import {familyOf} from '../../core/health/targets.js'
import {describeError, monoMs, type ProbeOptions, type ProbeOutcome, settleOnce, sourceFor} from './types.js'
import {viaWan} from './wan-route.js'

/**
 * One query to the given server (not the system resolver), healthy when it answers the name
 * with at least one record of the type asked. NXDOMAIN or an empty answer is a failure: the
 * target names a domain that should resolve.
 */
export function dnsProbe(target: Extract<Target, {kind: 'dns'}>, opts: ProbeOptions): Promise<ProbeOutcome> {
  const family = familyOf(target.server)
  return viaWan(target.server, family, opts, (_server, o) => query(target, family, o))
}

function query(target: Extract<Target, {kind: 'dns'}>, family: 4 | 6, opts: ProbeOptions): Promise<ProbeOutcome> {
  const started = monoMs()
  const src = sourceFor(opts.source, family)
  const resolver = new Resolver({timeout: Math.max(1, opts.timeoutMs), tries: 1})
  resolver.setServers([family === 6 ? `[${target.server}]:${target.port}` : `${target.server}:${target.port}`])
  if (src.address) {
    if (family === 6) resolver.setLocalAddress('0.0.0.0', src.address)
    else resolver.setLocalAddress(src.address)
  }
  let finished = false
  const s = settleOnce(opts, started, () => { if (!finished) resolver.cancel() })
  const answer = (error: NodeJS.ErrnoException | null, addresses: string[]) => {
    finished = true
    if (error) s.done(false, error.code === 'ENOTFOUND' ? `no ${target.rrtype} record for ${target.name} (NXDOMAIN)` : error.code === 'ENODATA' ? `no ${target.rrtype} record for ${target.name}` : describeError(error))
    else if (addresses.length === 0) s.done(false, `empty answer for ${target.name}`)
    else s.done(true, `${target.name} ${target.rrtype} ${addresses[0]}`)
  }
  if (target.rrtype === 'AAAA') resolver.resolve6(target.name, answer)
  else resolver.resolve4(target.name, answer)
  return s.promise
}
