// checkFailbackSync: does the BACKUP hold the MASTER's flows? (the failback step, and what status calls)
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {checkFailbackSync} from '../../../src/app/conntrack-sync.js'
import type {ConntrackdStats} from '../../../src/core/conntrack/stats.js'
import {HaError} from '../../../src/core/errors.js'
import {fakeConf, fakeConntrackd} from './fake-conntrackd.js'

const counters = (active: number) => ({active, created: active, createdFailed: 0, updated: 0, updatedFailed: 0, destroyed: 0, destroyedFailed: 0})
const peerWith = (internal: number, external: number) => async (): Promise<ConntrackdStats> =>
  ({internal: counters(internal), external: counters(external), internalBypass: false, externalInject: false})

function clock() {
  let t = 0
  return {sleep: async (ms: number) => { t += ms }, mono: () => t}
}

describe('checkFailbackSync', () => {
  test('status on the BACKUP (no waiting): its external cache against the MASTER\'s internal cache', async () => {
    const {client} = fakeConntrackd({external: 10})
    const r = await checkFailbackSync({client, peerStats: peerWith(10, 0), ...clock()}, {role: 'BACKUP', waitMs: 0, tolerancePercent: 2})
    assert.deepEqual(r, {state: 'in-sync', backup: 10, master: 10, missing: 0, allowed: 2, source: 'external-cache', waitedMs: 0, message: 'in sync: the BACKUP holds 10 of the MASTER\'s 10 flows'})
  })

  test('status on the MASTER: the peer\'s external cache against this node\'s internal cache', async () => {
    const {client} = fakeConntrackd({internal: 50})
    const r = await checkFailbackSync({client, peerStats: peerWith(0, 3), ...clock()}, {role: 'MASTER', waitMs: 0, tolerancePercent: 2})
    assert.equal(r.state, 'behind')
    assert.equal(r.backup, 3)
    assert.equal(r.master, 50)
    assert.match(r.message, /^behind: the BACKUP holds 3 of the MASTER's 50 flows \(47 missing, 2 allowed\)/)
  })

  test('the failback step waits while the resync arrives, and stops as soon as it is complete', async () => {
    const {client, state} = fakeConntrackd({peerInternal: 30, arrivePerPoll: 10})
    state.pendingResync = 30
    const r = await checkFailbackSync({client, peerStats: peerWith(30, 0), ...clock()}, {role: 'BACKUP', waitMs: 5000, tolerancePercent: 0})
    assert.equal(r.state, 'in-sync')
    assert.equal(r.backup, 30)
    assert.ok(r.waitedMs > 0 && r.waitedMs < 1000, `waited ${r.waitedMs} ms`)
  })

  test('DisableExternalCache: the BACKUP\'s copy is its kernel table', async () => {
    const {client} = fakeConntrackd({kernel: 12, conf: fakeConf('Mode FTFW {\n DisableExternalCache on\n }')})
    const r = await checkFailbackSync({client, peerStats: peerWith(12, 0), ...clock()}, {role: 'BACKUP', waitMs: 0, tolerancePercent: 2})
    assert.equal(r.state, 'in-sync')
    assert.equal(r.source, 'kernel-table')
  })

  test('conntrackd down here: unavailable, with the diagnosis', async () => {
    const {client} = fakeConntrackd({running: false})
    const r = await checkFailbackSync({client, peerStats: peerWith(1, 0), ...clock()}, {role: 'BACKUP', waitMs: 0, tolerancePercent: 2})
    assert.equal(r.state, 'unavailable')
    assert.match(r.message, /conntrackd is not running/)
  })

  test('the peer unreadable: unverified, saying why, still reporting this node\'s count', async () => {
    const {client} = fakeConntrackd({external: 4})
    const r = await checkFailbackSync({client, peerStats: async () => { throw new HaError('ssh: no route', 69) }, ...clock()}, {role: 'BACKUP', waitMs: 0, tolerancePercent: 2})
    assert.equal(r.state, 'unverified')
    assert.equal(r.backup, 4)
    assert.match(r.message, /the peer could not be read: ssh: no route/)
  })
})
