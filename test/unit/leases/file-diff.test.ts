// The lease-file watch's diff (core/leases/file-diff.ts): what changed between two versions of
// dnsmasq's lease file, as queue lines, with deletions held until a later read confirms them.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {diffLeaseFile, snapshotOf, snapshotText} from '../../../src/core/leases/file-diff.js'
import {parseLeaseText} from '../../../src/core/leases/parse.js'

const v4 = (exp: number, mac: string, ip: string, host = '*', cid = '*') => `${exp} ${mac} ${ip} ${host} ${cid}`
const v6 = (exp: number, iaid: string, ip: string, duid: string, host = '*') => `${exp} ${iaid} ${ip} ${host} ${duid}`
const snap = (...lines: string[]) => snapshotOf(parseLeaseText(lines.map((l) => `${l}\n`).join(''), 'test'))
/** As dnsmasq writes it: IPv4 leases, the server's `duid` line, then IPv6 leases. */
const file = (lines: string[]) => {
  const six = lines.filter((l) => l.split(' ')[2].includes(':'))
  const four = lines.filter((l) => !six.includes(l))
  return snapshotOf(parseLeaseText([...four, ...(six.length ? ['duid 00:01:00:01:2c:aa', ...six] : [])].map((l) => `${l}\n`).join(''), 'file'))
}

describe('lease file diff', () => {
  const a = v4(1000, '52:54:00:00:00:0a', '192.168.1.10', 'a')
  const b = v4(1000, '52:54:00:00:00:0b', '10.20.0.11', '*', '01:52:54:00:00:00:0b')
  const c = v6(2000, '7', 'fd00:1::131', '00:03:00:01:52:54:00:00:00:0c', 'c')
  const c2 = v6(2000, '7', 'fd00:2::131', '00:03:00:01:52:54:00:00:00:0c', 'c')

  test('a new lease, a renewal and a new hostname are sent at once; an unchanged one is not', () => {
    const d = diffLeaseFile(snap(a, b), file([v4(1600, '52:54:00:00:00:0a', '192.168.1.10', 'a'), v4(1000, '52:54:00:00:00:0b', '10.20.0.11', 'bee', '01:52:54:00:00:00:0b'), c, c2]), new Map(), 5000, 250)
    assert.deepEqual(d.lines, [
      `add ${v4(1600, '52:54:00:00:00:0a', '192.168.1.10', 'a')}`,
      `add ${v4(1000, '52:54:00:00:00:0b', '10.20.0.11', 'bee', '01:52:54:00:00:00:0b')}`,
      `add ${c}`, `add ${c2}`,
    ])
    assert.equal(d.recheckInMs, undefined)
    assert.deepEqual([...d.snapshot.keys()].sort(), ['10.20.0.11', '192.168.1.10', 'fd00:1::131', 'fd00:2::131'])
    assert.deepEqual(diffLeaseFile(d.snapshot, d.snapshot, new Map(), 6000, 250).lines, [])
  })

  test('an address taken by another client: the old lease deleted, then the new one', () => {
    const other = v4(1200, '52:54:00:00:00:ff', '192.168.1.10', 'z')
    assert.deepEqual(diffLeaseFile(snap(a), snap(other), new Map(), 0, 250).lines, [`del ${a}`, `add ${other}`])
    // The same client with another client id counts as another client (dnsmasq's own key).
    const withId = v4(1000, '52:54:00:00:00:0a', '192.168.1.10', 'a', '01:aa')
    assert.deepEqual(diffLeaseFile(snap(a), snap(withId), new Map(), 0, 250).lines, [`del ${a}`, `add ${withId}`])
  })

  test('a missing lease is deleted only when a read confirmMs later still misses it', () => {
    const first = diffLeaseFile(snap(a, b), snap(b), new Map(), 10_000, 250)
    assert.deepEqual(first.lines, [])
    assert.equal(first.recheckInMs, 250)
    assert.ok(first.snapshot.has('192.168.1.10'), 'still what the peer was told')
    const early = diffLeaseFile(first.snapshot, snap(b), first.pending, 10_100, 250)
    assert.deepEqual(early.lines, [])
    assert.equal(early.recheckInMs, 150)
    const confirmed = diffLeaseFile(early.snapshot, snap(b), early.pending, 10_250, 250)
    assert.deepEqual(confirmed.lines, [`del ${a}`])
    assert.deepEqual([...confirmed.snapshot.keys()], ['10.20.0.11'])
    assert.equal(confirmed.pending.size, 0)
  })

  test('a lease that comes back before the confirmation is not deleted (a read caught dnsmasq mid-write)', () => {
    // dnsmasq truncates the file and writes it again: an early read sees only a prefix.
    const torn = diffLeaseFile(snap(a, b, c), snap(a), new Map(), 0, 250)
    assert.deepEqual(torn.lines, [])
    assert.equal(torn.pending.size, 2)
    const whole = diffLeaseFile(torn.snapshot, file([a, b, c]), torn.pending, 300, 250)
    assert.deepEqual(whole.lines, [])
    assert.equal(whole.pending.size, 0)
    assert.equal(whole.recheckInMs, undefined)
  })

  test('the snapshot survives as lease-file text', () => {
    const s = file([a, b, c, c2])
    const back = snapshotOf(parseLeaseText(snapshotText(s), 'snapshot'))
    assert.deepEqual([...back.values()].map((l) => l.line), [...s.values()].map((l) => l.line))
    assert.equal(snapshotText(new Map()), '')
  })
})
