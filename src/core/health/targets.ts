import {parseIpv6} from '../parse/ipv6.js'

/**
 * Health-check targets as users write them (config `health.targets`, `check --target`):
 * a bare host or address is ICMP; `tcp://HOST:PORT`, `dns://SERVER[:PORT]/NAME[?type=AAAA]`,
 * `http://...` and `https://...` the other probes. Pure: parsing only, nothing is resolved.
 */
export type Target =
  | {kind: 'icmp'; text: string; host: string}
  | {kind: 'tcp'; text: string; host: string; port: number}
  | {kind: 'dns'; text: string; server: string; port: number; name: string; rrtype: 'A' | 'AAAA'}
  | {kind: 'http'; text: string; url: string; host: string}

export type ProbeKind = Target['kind']

export const TARGET_FORMS = 'HOST (ICMP), tcp://HOST:PORT, dns://SERVER/NAME, http://URL or https://URL'

/** Parses one target, or returns what is wrong with it (one line, without the target itself). */
export function parseTarget(text: string): Target | {error: string} {
  const s = text.trim()
  if (s === '') return {error: 'empty target'}
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(s)
  if (!scheme) {
    if (s.includes('/') || s.includes(':') && !isIPv6(stripBrackets(s))) return {error: `not a host or address (expected ${TARGET_FORMS})`}
    const host = stripBrackets(s)
    return isHost(host) ? {kind: 'icmp', text: s, host} : {error: `not a valid host name or address (expected ${TARGET_FORMS})`}
  }
  const kind = scheme[1].toLowerCase()
  // An IPv6 address in a URL goes in brackets (RFC 3986); without them the colons read as a port.
  const authority = s.slice(scheme[0].length).split(/[/?#]/)[0]
  if (!authority.startsWith('[') && authority.split(':').length > 2) {
    const example = kind === 'dns' ? 'dns://[2001:db8::53]/example.org' : kind === 'tcp' ? 'tcp://[2001:db8::1]:443' : `${kind}://[2001:db8::1]`
    return {error: `an IPv6 address in a URL goes in brackets, as in ${example}`}
  }
  let url: URL
  try {
    url = new URL(s)
  } catch {
    return {error: `not a valid URL (expected ${TARGET_FORMS})`}
  }
  const host = stripBrackets(url.hostname)
  switch (kind) {
    case 'icmp':
      if (!isHost(host) || url.port || !emptyPath(url)) return {error: 'expected icmp://HOST'}
      return {kind: 'icmp', text: s, host}
    case 'tcp': {
      if (!isHost(host)) return {error: 'expected tcp://HOST:PORT with a valid host'}
      if (!url.port) return {error: 'expected tcp://HOST:PORT: the port is missing'}
      if (!emptyPath(url)) return {error: 'expected tcp://HOST:PORT with nothing after the port'}
      return {kind: 'tcp', text: s, host, port: Number(url.port)}
    }
    case 'dns': {
      if (!isIP(host)) return {error: 'expected dns://SERVER/NAME with SERVER an IP address (the server asked, not a name to look up)'}
      const name = decodeURIComponent(url.pathname.replace(/^\/+/, '')).replace(/\.$/, '')
      if (!name || !isHostName(name)) return {error: 'expected dns://SERVER/NAME: the name to query is missing or not a valid domain name'}
      const type = (url.searchParams.get('type') ?? 'A').toUpperCase()
      if (type !== 'A' && type !== 'AAAA') return {error: `expected ?type=A or ?type=AAAA, got ${JSON.stringify(type)}`}
      if ([...url.searchParams.keys()].some((k) => k !== 'type')) return {error: 'dns:// takes only the query parameter type='}
      return {kind: 'dns', text: s, server: host, port: url.port ? Number(url.port) : 53, name, rrtype: type}
    }
    case 'http':
    case 'https':
      if (!host) return {error: `expected ${kind}://HOST[:PORT]/PATH`}
      return {kind: 'http', text: s, url: url.href, host}
    default:
      return {error: `unknown probe type ${JSON.stringify(kind)} (expected ${TARGET_FORMS})`}
  }
}

/** Parses every target; the first bad one is reported as `TARGET: why`. */
export function parseTargets(texts: readonly string[]): Target[] | {error: string} {
  const out: Target[] = []
  for (const t of texts) {
    const r = parseTarget(t)
    if ('error' in r) return {error: `${JSON.stringify(t)}: ${r.error}`}
    out.push(r)
  }
  return out
}

/** An HTTP status range `LO-HI` or a single status `NNN`. */
export function parseStatusRange(text: string): [number, number] | {error: string} {
  const m = /^\s*(\d{3})\s*(?:-\s*(\d{3})\s*)?$/.exec(text)
  if (!m) return {error: 'an HTTP status range like "200-399" or a status like "204"'}
  const lo = Number(m[1])
  const hi = m[2] === undefined ? lo : Number(m[2])
  if (lo < 100 || hi > 599 || lo > hi) return {error: 'an HTTP status range within 100-599, low end first'}
  return [lo, hi]
}

/** The address family to probe a host with: 6 for an IPv6 literal, else 4. */
export function familyOf(host: string): 4 | 6 {
  return isIPv6(host) ? 6 : 4
}

export function isIP(s: string): boolean {
  return isIPv4(s) || isIPv6(s)
}

function isIPv4(s: string): boolean {
  const parts = s.split('.')
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)
}

function isIPv6(s: string): boolean {
  return s.includes(':') && parseIpv6(s) !== undefined
}

function isHostName(s: string): boolean {
  return s.length <= 253 && s.split('.').every((l) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(l))
}

function isHost(s: string): boolean {
  return isIP(s) || (isHostName(s) && !/^[\d.]+$/.test(s))
}

function stripBrackets(s: string): string {
  return s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s
}

function emptyPath(url: URL): boolean {
  return (url.pathname === '' || url.pathname === '/') && url.search === '' && url.hash === ''
}
