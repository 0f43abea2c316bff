import {HaError, usageError} from '../errors.js'
import {ExitCode} from '../exit-codes.js'
import {formatLease, type LeaseFields} from './format.js'
import {parseLeaseText} from './parse.js'

/**
 * One call of dnsmasq's --dhcp-script, as data. dnsmasq runs the script as
 * `SCRIPT add|old|del MAC-or-DUID IP [HOSTNAME]` with the rest in DNSMASQ_* variables, and
 * `SCRIPT init` (with --leasefile-ro) expecting the database on stdout. Other actions exist
 * (tftp, arp-add, arp-del, relay-snoop) and are ignored, as dnsmasq(8) asks.
 */
export type HookEvent =
  | {action: 'init'}
  | {action: 'add' | 'old'; lease: LeaseFields}
  | {action: 'del'; lease: LeaseFields}
  | {action: 'ignored'; name: string}

/** `now` is epoch seconds, for DNSMASQ_TIME_REMAINING when DNSMASQ_LEASE_EXPIRES is absent. */
export function parseHookEvent(args: readonly string[], env: Readonly<Record<string, string | undefined>>, now: number): HookEvent {
  const [action, id, ip, host] = args
  if (action === undefined) throw usageError('leases hook: missing the action dnsmasq passes (add, old, del, init)')
  if (action === 'init') return {action: 'init'}
  if (action !== 'add' && action !== 'old' && action !== 'del') return {action: 'ignored', name: action}
  if (!id || !ip) throw usageError(`leases hook ${action}: expected MAC-or-DUID and IP arguments`)
  const expiry = leaseExpiry(env, now)
  const hostname = host && host !== '*' ? host : '*'
  if (ip.includes(':')) {
    const iaid = env.DNSMASQ_IAID
    if (!iaid) throw usageError(`leases hook ${action} ${ip}: DNSMASQ_IAID is not set (IPv6 leases carry it)`)
    return {action, lease: checkedLease(action, {family: 6, expiry, iaid, ip, host: hostname, duid: id.toLowerCase()})}
  }
  const clientId = env.DNSMASQ_CLIENT_ID ? env.DNSMASQ_CLIENT_ID.toLowerCase() : '*'
  return {action, lease: checkedLease(action, {family: 4, expiry, mac: id.toLowerCase(), ip, host: hostname, clientId})}
}

/**
 * Hostnames and client ids come from DHCP clients: a field with a space or a newline would write
 * (and push to the peer) lines of the client's choosing. Every field must be what dnsmasq's lease
 * file holds (the parser's rules: hex bytes, an address, digits) and the host a DNS name as dnsmasq
 * keeps it (letters, digits, '-', '_', '.'; at most 255); anything else refuses the event.
 */
function checkedLease<L extends LeaseFields>(action: string, lease: L): L {
  const why = badField(lease)
  if (why !== undefined) throw new HaError(`leases hook ${action}: refused: ${why}`, ExitCode.USAGE, {kind: 'bad-hook-event'})
  return lease
}

const HOST = /^[A-Za-z0-9_.-]{1,255}$/

function badField(lease: LeaseFields): string | undefined {
  if (lease.host !== '*' && !HOST.test(lease.host)) return `hostname ${JSON.stringify(lease.host.slice(0, 80))} is not a DNS name`
  const fields = Object.values(lease).filter((v): v is string => typeof v === 'string')
  const odd = fields.find((v) => v === '' || [...v].some((c) => c <= ' ' || c === '\x7f'))
  if (odd !== undefined) return `field ${JSON.stringify(odd.slice(0, 80))} is empty or holds a space or control character`
  try {
    const t = parseLeaseText(`${formatLease(lease)}\n`, 'event')
    if (t.count !== 1 || (t.v6 === 1) !== (lease.family === 6)) return 'not one lease line'
  } catch (error) {
    return (error as Error).message.replace(/^event:1: /, '')
  }
  return undefined
}

/** Absolute expiry from dnsmasq's environment: DNSMASQ_LEASE_EXPIRES, else now + DNSMASQ_TIME_REMAINING; 0 = infinite. */
function leaseExpiry(env: Readonly<Record<string, string | undefined>>, now: number): number {
  const expires = env.DNSMASQ_LEASE_EXPIRES
  if (expires !== undefined && /^\d+$/.test(expires)) return Number(expires)
  const remaining = env.DNSMASQ_TIME_REMAINING
  if (remaining !== undefined && /^\d+$/.test(remaining)) return Number(remaining) === 0 ? 0 : now + Number(remaining)
  // dnsmasq omits both for an infinite lease.
  return 0
}
