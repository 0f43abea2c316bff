// checkFailbackSync: does the returning node hold the MASTER's flows, tuple by tuple?
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {checkFailbackSync} from '../../../src/app/conntrack-sync.js'
import {type FlowRecord, masterFlowRecords, parseFlows} from '../../../src/core/conntrack/flows.js'
import {HaError} from '../../../src/core/errors.js'
import {fakeConf, fakeConntrackd, fakeFlowLines} from './fake-conntrackd.js'

/** The MASTER's records: flows [0, n) replicated, plus `local` flows conntrackd does not replicate. */
const master = (n: number, local = 0, from = 0) => async (): Promise<FlowRecord[]> => [
  ...masterFlowRecords(parseFlows(fakeFlowLines(n, from)), undefined),
  ...masterFlowRecords(parseFlows(fakeFlowLines(local, 5000)), new Set()),
]

function clock() {
  let t = 0
  return {sleep: async (ms: number) => { t += ms }, mono: () => t, kernelFlows: async () => ''}
}

describe('checkFailbackSync (by flows)', () => {
  test('one reading: every replicated MASTER flow is in the external cache; its own traffic does not count', async () => {
    const {client} = fakeConntrackd({external: 10})
    const r = await checkFailbackSync({client, peerFlows: master(10, 3), ...clock()}, {waitMs: 0, tolerancePercent: 2})
    assert.equal(r.state, 'in-sync')
    assert.deepEqual([r.master, r.backup, r.missing, r.extra, r.source], [10, 10, 0, 0, 'external-cache'])
    assert.equal(r.message, 'in sync: 10 of the MASTER\'s 10 flows are here (0 missing, 2 allowed)')
  })

  test('same count, different flows: behind (a count comparison would pass)', async () => {
    const {client} = fakeConntrackd({external: 50})
    const r = await checkFailbackSync({client, peerFlows: master(50, 0, 1000), ...clock()}, {waitMs: 0, tolerancePercent: 2})
    assert.equal(r.state, 'behind')
    assert.deepEqual([r.master, r.backup, r.missing, r.extra], [50, 50, 50, 50])
    assert.match(r.message, /^behind: 50 of the MASTER's 50 flows are missing here \(2 allowed, 50 extra \(closed on the MASTER\)\) after 0 ms; e\.g\. tcp src=/)
    assert.equal(r.sampleMissing!.length, 5)
  })

  test('waits while the resync arrives, and stops as soon as it is complete', async () => {
    const {client, state} = fakeConntrackd({peerInternal: 30, arrivePerPoll: 10})
    state.pendingResync = 30
    const r = await checkFailbackSync({client, peerFlows: master(30), ...clock()}, {waitMs: 5000, tolerancePercent: 0})
    assert.equal(r.state, 'in-sync')
    assert.equal(r.backup, 30)
    assert.ok(r.waitedMs > 0 && r.waitedMs < 1000, `waited ${r.waitedMs} ms`)
  })

  test('the MASTER is read again before "behind": flows it closed meanwhile are not missing', async () => {
    const {client} = fakeConntrackd({external: 20})
    let calls = 0
    const peerFlows = async () => (++calls === 1 ? master(40)() : master(20)())
    const r = await checkFailbackSync({client, peerFlows, ...clock()}, {waitMs: 300, tolerancePercent: 0})
    assert.equal(r.state, 'in-sync')
    assert.equal(calls, 2)
  })

  test('DisableExternalCache: the copy is this node\'s kernel table', async () => {
    const {client} = fakeConntrackd({conf: fakeConf('Mode FTFW {\n DisableExternalCache on\n }')})
    const r = await checkFailbackSync({client, peerFlows: master(12), ...clock(), kernelFlows: async () => fakeFlowLines(12)}, {waitMs: 0, tolerancePercent: 2})
    assert.equal(r.state, 'in-sync')
    assert.equal(r.source, 'kernel-table')
  })

  test('conntrackd down here: unavailable, with the diagnosis', async () => {
    const {client} = fakeConntrackd({running: false})
    const r = await checkFailbackSync({client, peerFlows: master(1), ...clock()}, {waitMs: 0, tolerancePercent: 2})
    assert.equal(r.state, 'unavailable')
    assert.match(r.message, /conntrackd is not running/)
  })

  test('the peer unreadable: unverified, saying why, still reporting this node\'s count', async () => {
    const {client} = fakeConntrackd({external: 4})
    const r = await checkFailbackSync({client, peerFlows: async () => { throw new HaError('peer root@x unreachable: ssh: no route', 69) }, ...clock()}, {waitMs: 0, tolerancePercent: 2})
    assert.equal(r.state, 'unverified')
    assert.equal(r.backup, 4)
    assert.match(r.message, /the MASTER's flows could not be read: peer root@x unreachable: ssh: no route/)
  })
})
