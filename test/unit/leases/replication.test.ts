// The replication view `status` shows and the rule for "behind by more than dnsmasq.sync_warn_s".
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {nextMark, replicationView} from '../../../src/core/leases/replication.js'

const NOW = 1_800_000_000_000
const ago = (s: number) => NOW - s * 1000

describe('replication marks and view', () => {
  test('a success records lastOkAt; a failure keeps it and says why', () => {
    const ok = nextMark(undefined, ago(100), true)
    assert.deepEqual(ok, {at: ago(100), ok: true, lastOkAt: ago(100)})
    assert.deepEqual(nextMark(ok, ago(10), false, 'ssh: Connection refused'), {at: ago(10), ok: false, lastOkAt: ago(100), error: 'ssh: Connection refused'})
    assert.deepEqual(nextMark(undefined, ago(10), false), {at: ago(10), ok: false})
  })

  test('ages in each direction and the queue', () => {
    const v = replicationView({toPeer: nextMark(undefined, ago(3), true), fromPeer: nextMark(undefined, ago(40), true)}, {pending: 2, setAside: 0, oldestAt: ago(5)}, NOW, 600)
    assert.deepEqual(v.toPeer, {lastOkAt: new Date(ago(3)).toISOString(), ageS: 3, lastTryOk: true, error: null})
    assert.equal(v.fromPeer.ageS, 40)
    assert.deepEqual(v.queue, {pending: 2, setAside: 0, oldestAgeS: 5})
    assert.equal(v.warning, null)
    assert.deepEqual(replicationView({}, {pending: 0, setAside: 0}, NOW, 600).toPeer, {lastOkAt: null, ageS: null, lastTryOk: null, error: null})
  })

  test('behind: a queued change older than sync_warn_s, a refused batch, or the peer\'s leases stale with the latest try failed', () => {
    assert.match(replicationView({}, {pending: 3, setAside: 0, oldestAt: ago(61)}, NOW, 60).warning ?? '', /3 queued change batches not on the peer for 61 s/)
    assert.equal(replicationView({}, {pending: 3, setAside: 0, oldestAt: ago(59)}, NOW, 60).warning, null)
    assert.match(replicationView({}, {pending: 0, setAside: 1}, NOW, 60).warning ?? '', /1 batch refused by the peer/)
    const stale = nextMark(nextMark(undefined, ago(700), true), ago(5), false, 'exit 69')
    assert.match(replicationView({fromPeer: stale}, {pending: 0, setAside: 0}, NOW, 600).warning ?? '', /no lease sync from the peer for 700 s: exit 69/)
    assert.equal(replicationView({fromPeer: stale}, {pending: 0, setAside: 0}, NOW, 800).warning, null)
    // Old but the latest try worked (nothing changed since): not behind.
    assert.equal(replicationView({fromPeer: nextMark(undefined, ago(5000), true)}, {pending: 0, setAside: 0}, NOW, 600).warning, null)
  })
})
