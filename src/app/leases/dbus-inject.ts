import {leasesOf, type LeaseTable} from '../../core/leases/table.js'
import {clientKey, type Lease} from '../../core/leases/types.js'
import type {DnsmasqDbus} from '../../ports.js'
import type {LeaseDeps} from './deps.js'

/** No call starts in the last this-many ms of a second: a D-Bus round trip to an idle dnsmasq takes ~1 ms. */
const SECOND_GUARD_MS = 25
/** Re-injections of leases dnsmasq stored a second off, at most. */
const CORRECTION_ROUNDS = 2

export type InjectResult = {
  /** Leases injected again because dnsmasq's file showed another expiry than the one sent. */
  corrected: number
  /** Leases still off after the last round (their expiry differs by a second or two). */
  off: number
}

/**
 * AddDhcpLease for each lease, so that dnsmasq stores the expiry the lease has. The call takes a
 * duration, which dnsmasq adds to its own clock (src/dbus.c: lease_set_expires(lease, expires, now)):
 * a duration taken a moment before dnsmasq's clock turns a second stores an expiry one second later.
 * So each duration is taken from the clock right before its call, no call starts in the last
 * SECOND_GUARD_MS of a second, and then (`readStored`: dnsmasq's own lease file, which it rewrites
 * during each call) the file is read back and a lease stored with another expiry is injected again.
 * The two nodes' files then hold the same line, and the receiving node has nothing to push back.
 */
export async function injectLeases(deps: LeaseDeps, dbus: DnsmasqDbus, leases: readonly Lease[], readStored?: () => LeaseTable): Promise<InjectResult> {
  const add = async (l: Lease) => {
    const ms = deps.now() % 1000
    if (ms > 1000 - SECOND_GUARD_MS) await new Promise((r) => setTimeout(r, 1001 - ms))
    await dbus.addLease(l, Math.floor(deps.now() / 1000))
  }
  for (const l of leases) await add(l)
  if (!readStored) return {corrected: 0, off: 0}
  let off = leases
  let corrected = 0
  for (let round = 0; round <= CORRECTION_ROUNDS; round++) {
    off = storedOff(readStored, off)
    if (off.length === 0 || round === CORRECTION_ROUNDS) break
    corrected += off.length
    for (const l of off) await add(l)
  }
  if (corrected > 0) deps.log.debug({corrected, off: off.length}, 'leases injected again: dnsmasq had stored another expiry')
  return {corrected, off: off.length}
}

/** The leases dnsmasq's file holds for the same client and address with another expiry. */
function storedOff(readStored: () => LeaseTable, leases: readonly Lease[]): Lease[] {
  if (leases.length === 0) return []
  let stored: Map<string, Lease>
  try {
    stored = new Map(leasesOf(readStored()).map((l) => [l.ip.toLowerCase(), l]))
  } catch {
    return [] // unreadable now: the next sync compares again
  }
  return leases.filter((l) => {
    const s = stored.get(l.ip.toLowerCase())
    return s !== undefined && clientKey(s) === clientKey(l) && s.expiry !== l.expiry
  })
}
