// The failback gate's decisions and the one track_file value.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {type GateEvent, type GateState, nextGate, trackWithGate} from '../../../src/core/failback/gate.js'

const T = 60_000
const start = (over: Partial<Extract<GateEvent, {kind: 'start'}>> = {}) => nextGate(undefined, {kind: 'start', at: 1000, enabled: true, forcedOpen: false, ...over}, T)
const check = (s: GateState, over: Partial<Extract<GateEvent, {kind: 'check'}>> = {}) =>
  nextGate(s, {kind: 'check', at: 2000, state: 'behind', message: 'behind: 5 missing', missing: 5, master: 40, extra: 0, peerReached: true, peerRole: 'MASTER', ...over}, T)

describe('nextGate', () => {
  test('a returning node starts closed; a MASTER, a disabled gate and the test flag start open', () => {
    assert.deepEqual(start().state, {open: false, since: 1000, reason: 'returning: waiting until this node holds the MASTER\'s flows'})
    assert.equal(start({role: 'BACKUP'}).state.open, false)
    assert.equal(start({role: 'MASTER'}).state.open, true)
    assert.deepEqual(start({enabled: false, why: 'conntrackd.enabled = false'}).state, {open: true, since: 1000, reason: 'conntrackd.enabled = false'})
    const forced = start({forcedOpen: true})
    assert.equal(forced.state.open, true)
    assert.equal(forced.log?.level, 'warn')
  })

  test('stays closed while flows are missing, recording how many; opens when the check passes', () => {
    const behind = check(start().state)
    assert.equal(behind.state.open, false)
    assert.deepEqual([behind.state.missing, behind.state.master, behind.state.since], [5, 40, 1000])
    const ok = check(behind.state, {state: 'in-sync', message: 'in sync: 40 of 40', missing: 0})
    assert.deepEqual([ok.state.open, ok.state.since, ok.state.reason, ok.state.missing], [true, 2000, 'in sync: 40 of 40', 0])
  })

  test('no other MASTER: the peer unreachable, or BACKUP/FAULT/STOP, opens at once; an unknown role does not', () => {
    const closed = start().state
    assert.equal(check(closed, {peerReached: false, state: 'unverified', message: 'peer x unreachable'}).state.open, true)
    for (const r of ['BACKUP', 'FAULT', 'STOP'] as const) assert.match(check(closed, {peerRole: r}).state.reason, new RegExp(`no other MASTER: the peer is ${r}`))
    assert.equal(check(closed, {peerRole: 'unknown'}).state.open, false)
    assert.equal(nextGate(closed, {kind: 'role', at: 3000, role: 'MASTER'}, T).state.open, true)
    assert.equal(nextGate(closed, {kind: 'role', at: 3000, role: 'FAULT'}, T).state.open, false)
  })

  test('conntrackd down here keeps it closed (the timeout still bounds it)', () => {
    assert.equal(check(start().state, {state: 'unavailable', message: 'conntrackd is not running'}).state.open, false)
  })

  test('the timeout opens it, as an error naming the flows still missing', () => {
    const behind = check(start().state).state
    assert.equal(nextGate(behind, {kind: 'tick', at: 1000 + T - 1}, T).state.open, false)
    const out = nextGate(behind, {kind: 'tick', at: 1000 + T}, T)
    assert.equal(out.state.open, true)
    assert.equal(out.state.timedOut, true)
    assert.equal(out.log?.level, 'error')
    assert.match(out.log!.message, /failback_timeout_ms \(60000 ms\) expired with 5 of the MASTER's 40 flows missing/)
  })

  test('once open it stays open', () => {
    const open = start({role: 'MASTER'}).state
    assert.equal(check(open).changed, false)
    assert.equal(nextGate(open, {kind: 'tick', at: 10 * T}, T).state.open, true)
  })
})

describe('trackWithGate', () => {
  test('health wins when it is not ok; a closed gate alone is 3', () => {
    assert.deepEqual([trackWithGate(0, true), trackWithGate(0, false), trackWithGate(1, false), trackWithGate(2, false), trackWithGate(2, true)], [0, 3, 1, 2, 2])
  })
})
