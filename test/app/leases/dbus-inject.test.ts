// AddDhcpLease takes a duration that dnsmasq adds to its own clock: these fakes store what dnsmasq would
// (its clock, plus the duration sent) in the lease file, and the injection must end with the peer's expiry.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {injectLeases} from '../../../src/app/leases/dbus-inject.js'
import {formatLease} from '../../../src/core/leases/format.js'
import {parseLeaseText} from '../../../src/core/leases/parse.js'
import {leasesOf} from '../../../src/core/leases/table.js'
import type {Lease} from '../../../src/core/leases/types.js'
import type {DnsmasqDbus} from '../../../src/ports.js'
import {lease, LOCAL, NOW_S, world} from './fakes.js'

/** A dnsmasq whose clock reads `clockMs()` when a call arrives; it rewrites its file during each call, as dnsmasq does. */
function fakeDnsmasq(w: ReturnType<typeof world>, clockMs: () => number) {
  const table = new Map<string, Lease>()
  const calls: number[] = []
  const dbus: DnsmasqDbus = {
    present: async () => true,
    addLease: async (l, now) => {
      const duration = l.expiry - now
      calls.push(duration)
      const stored = {...l, expiry: Math.floor(clockMs() / 1000) + duration}
      table.set(l.ip, {...stored, line: formatLease(stored)})
      w.files.set(LOCAL, [...table.values()].map((x) => `${x.line}\n`).join(''))
    },
    deleteLease: async () => true,
    close: () => {},
  }
  return {dbus, calls}
}

const incoming = () => leasesOf(parseLeaseText(lease(NOW_S + 3600, '52:54:00:00:00:01', '192.168.1.101') + lease(NOW_S + 600, '52:54:00:00:00:02', '192.168.1.102', 'b'), 'peer'))
const stored = (w: ReturnType<typeof world>) => w.files.get(LOCAL)!.trim().split('\n').map((l) => Number(l.split(' ')[0]))
const readStored = (w: ReturnType<typeof world>) => () => parseLeaseText(w.files.get(LOCAL) ?? '', LOCAL)

describe('injecting leases over D-Bus keeps their expiry', () => {
  test('dnsmasq\'s clock a second ahead on the first call: the lease is injected again and ends exact', async () => {
    const w = world()
    let first = true
    const {dbus, calls} = fakeDnsmasq(w, () => {
      const at = NOW_S * 1000 + (first ? 1000 : 0)
      first = false
      return at
    })
    const r = await injectLeases(w.deps, dbus, incoming(), readStored(w))
    assert.deepEqual(stored(w), [NOW_S + 3600, NOW_S + 600])
    assert.deepEqual(r, {corrected: 1, off: 0})
    assert.deepEqual(calls, [3600, 600, 3600])
  })

  test('without the read-back (--leasefile-ro: dnsmasq writes no file) the second stays', async () => {
    const w = world()
    const {dbus} = fakeDnsmasq(w, () => NOW_S * 1000 + 1000)
    const r = await injectLeases(w.deps, dbus, incoming())
    assert.deepEqual(stored(w), [NOW_S + 3601, NOW_S + 601])
    assert.deepEqual(r, {corrected: 0, off: 0})
  })

  test('a dnsmasq clock that is always a second ahead: two more rounds, then it is reported off', async () => {
    const w = world()
    const {dbus, calls} = fakeDnsmasq(w, () => NOW_S * 1000 + 1000)
    const r = await injectLeases(w.deps, dbus, incoming(), readStored(w))
    assert.deepEqual(r, {corrected: 4, off: 2})
    assert.equal(calls.length, 6)
  })

  test('no call starts in the last ms of a second: it waits for the next one, whose clock dnsmasq then shares', async () => {
    const w = world()
    const t0 = Date.now()
    const base = NOW_S * 1000 + 990
    // The caller's clock moves with real time from .990; dnsmasq answers 5 ms later on the same clock.
    w.deps.now = () => base + (Date.now() - t0)
    const {dbus, calls} = fakeDnsmasq(w, () => w.deps.now() + 5)
    const r = await injectLeases(w.deps, dbus, incoming(), readStored(w))
    assert.deepEqual(r, {corrected: 0, off: 0})
    assert.deepEqual(stored(w), [NOW_S + 3600, NOW_S + 600])
    assert.deepEqual(calls, [3599, 599], 'the durations were taken in the next second')
  })

  test('a lease the file holds for another client is not "corrected"', async () => {
    const w = world()
    const {dbus} = fakeDnsmasq(w, () => NOW_S * 1000)
    const mine = incoming()
    await injectLeases(w.deps, dbus, mine, readStored(w))
    w.files.set(LOCAL, lease(NOW_S + 50, '52:54:00:00:00:09', '192.168.1.101'))
    let calls = 0
    const counting: DnsmasqDbus = {...dbus, addLease: async (l, now) => { calls++; await dbus.addLease(l, now) }}
    const r = await injectLeases(w.deps, counting, mine.slice(0, 1), () => parseLeaseText(lease(NOW_S + 50, '52:54:00:00:00:09', '192.168.1.101'), LOCAL))
    assert.deepEqual([r, calls], [{corrected: 0, off: 0}, 1])
  })
})
