import {spawn} from 'node:child_process'
import {lookup} from 'node:dns'
import {isIP} from 'node:net'
import {childEnv} from '../safe-path.js'
import {monoMs, type ProbeOptions, type ProbeOutcome, round, sourceFor} from './types.js'

/**
 * Runs `probe` against HOST: as is on the `main` path; on the WAN path against the address
 * wanRoute() proved to leave through the WAN, with what is left of the probe's timeout.
 */
export async function viaWan(host: string, family: 4 | 6, opts: ProbeOptions, probe: (address: string, opts: ProbeOptions) => Promise<ProbeOutcome>): Promise<ProbeOutcome> {
  const started = monoMs()
  const src = sourceFor(opts.source, family)
  if (src.error) return {ok: false, ms: 0, detail: src.error}
  if (!opts.source || !src.address) return probe(host, opts)
  const route = await wanRoute(host, family, {dev: opts.source.dev, address: src.address}, opts)
  const spent = monoMs() - started
  if (opts.signal.cancelled) return {ok: false, ms: round(spent), detail: 'cancelled', cancelled: true}
  if (route.error !== undefined) return {ok: false, ms: round(spent), detail: route.error}
  if (spent >= opts.timeoutMs) return {ok: false, ms: round(spent), detail: `timed out after ${opts.timeoutMs} ms`}
  const r = await probe(route.address, {...opts, timeoutMs: opts.timeoutMs - spent})
  const detail = r.detail.startsWith('timed out after ') ? `timed out after ${opts.timeoutMs} ms` : r.detail
  return {...r, ms: round(r.ms + spent), detail}
}

/**
 * Where a socket probe (TCP, DNS, HTTP) will connect, proven to leave through the WAN before
 * anything is sent. Node cannot bind a socket to a device (no SO_BINDTODEVICE), and a source
 * address alone does not pick the route: with the WAN table empty, or a default route in the
 * main table (priority 32766, before the MASTER's rule), a probe from the WAN address leaves
 * through the LAN or the sync link and a dead WAN looks healthy. So the kernel is asked first
 * (`ip route get DST from SRC`, the same lookup the socket's connect makes) and the probe is
 * refused unless the answer is the WAN device. Host names are resolved once here and the probe
 * connects to exactly the address that was checked.
 */
export type WanRoute = {address: string; error?: undefined} | {address?: undefined; error: string}

export async function wanRoute(host: string, family: 4 | 6, src: {dev: string; address: string}, opts: ProbeOptions): Promise<WanRoute> {
  let address = host
  if (!isIP(host)) {
    try {
      address = await new Promise<string>((resolve, reject) => lookup(host, {family}, (e, a) => (e ? reject(e) : resolve(a))))
    } catch (error) {
      return {error: `${host}: ${(error as NodeJS.ErrnoException).code === 'ENOTFOUND' ? 'name not found' : (error as Error).message}`}
    }
  }
  const route = await routeGet(address, family, src.address, opts)
  if (route.error !== undefined) return {error: route.error}
  if (route.dev !== src.dev) return {error: `not sent: the route from ${src.address} to ${address} leaves through ${route.dev}, not the WAN ${src.dev}`}
  return {address}
}

/** The device the kernel routes DST from SRC through (`ip -j route get`), killed on cancel or timeout. */
function routeGet(dst: string, family: 4 | 6, src: string, opts: ProbeOptions): Promise<{dev: string; error?: undefined} | {dev?: undefined; error: string}> {
  return new Promise((resolve) => {
    const child = spawn('ip', [`-${family}`, '-j', 'route', 'get', dst, 'from', src], {env: childEnv(), stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    let settled = false
    const settle = (r: {dev: string} | {error: string}) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      unsubscribe()
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      resolve(r)
    }
    const timer = setTimeout(() => settle({error: `timed out after ${opts.timeoutMs} ms (route lookup)`}), opts.timeoutMs)
    const unsubscribe = opts.signal.onCancel(() => settle({error: 'cancelled'}))
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d })
    child.on('error', (e: NodeJS.ErrnoException) => settle({error: e.code === 'ENOENT' ? 'ip is not installed' : e.message}))
    child.on('close', (code) => {
      if (code !== 0) return settle({error: `no route from ${src} to ${dst}${routeWhy(err)}`})
      try {
        const dev = (JSON.parse(out) as Array<{dev?: string}>)[0]?.dev
        settle(dev ? {dev} : {error: `no route from ${src} to ${dst}`})
      } catch {
        settle({error: `ip route get: unreadable output ${JSON.stringify(out.slice(0, 80))}`})
      }
    })
  })
}

/** "RTNETLINK answers: Network is unreachable" -> " (network is unreachable)". */
function routeWhy(stderr: string): string {
  const m = /answers: (.+)$/m.exec(stderr)
  return m ? ` (${m[1].trim().toLowerCase()})` : ''
}
