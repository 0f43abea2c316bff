// The daemon's failback gate use-case with fake checks and a fake clock.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {silentLogger} from '../../../src/adapters/log.js'
import {type GateCheck, startFailbackGate} from '../../../src/app/failback-gate.js'
import type {GateState} from '../../../src/core/failback/gate.js'

function harness(checks: Array<Partial<GateCheck> | Error>, over: {role?: string; timeoutMs?: number; forcedOpen?: boolean} = {}) {
  let t = 0
  const changes: GateState[] = []
  const calls: string[] = []
  const gate = startFailbackGate({
    log: silentLogger,
    now: () => t,
    sleep: async (ms) => { t += ms },
    requestResync: async () => { calls.push('-n') },
    check: async () => {
      calls.push('check')
      const c = checks.shift() ?? {state: 'behind', message: 'behind', missing: 1, peerReached: true, peerRole: 'MASTER'}
      if (c instanceof Error) throw c
      return {state: 'behind', message: 'behind', waitedMs: 0, peerReached: true, peerRole: 'MASTER', ...c} as GateCheck
    },
    changed: (s) => changes.push({...s}),
  }, {enabled: true, forcedOpen: over.forcedOpen ?? false, timeoutMs: over.timeoutMs ?? 10_000, pollMs: 500, role: over.role})
  return {gate, changes, calls, time: () => t}
}

describe('startFailbackGate', () => {
  test('closed at start, -n, polls until the MASTER\'s flows are here, then opens; every change persisted', async () => {
    const h = harness([{missing: 30, master: 30}, {state: 'in-sync', message: 'in sync', missing: 0, master: 30}])
    assert.equal(h.gate.isOpen(), false)
    for (let i = 0; i < 20 && !h.gate.isOpen(); i++) await new Promise((r) => setImmediate(r))
    assert.equal(h.gate.isOpen(), true)
    assert.deepEqual(h.changes.map((c) => [c.open, c.missing ?? null]), [[false, null], [false, 30], [true, 0]])
    assert.equal(h.time(), 500)
    assert.deepEqual(h.calls, ['-n', 'check', 'check'])
  })

  test('the peer unreachable opens it at once', async () => {
    const h = harness([{state: 'unverified', message: 'peer root@x unreachable: ssh timed out', peerReached: false}])
    for (let i = 0; i < 20 && !h.gate.isOpen(); i++) await new Promise((r) => setImmediate(r))
    assert.equal(h.gate.isOpen(), true)
    assert.match(h.gate.state().reason, /no other MASTER: the peer is unreachable/)
  })

  test('never in sync: the timeout opens it', async () => {
    const h = harness([], {timeoutMs: 2000})
    for (let i = 0; i < 200 && !h.gate.isOpen(); i++) await new Promise((r) => setImmediate(r))
    assert.equal(h.gate.isOpen(), true)
    assert.equal(h.gate.state().timedOut, true)
    assert.ok(h.time() >= 2000 && h.time() <= 2500, `opened at ${h.time()}`)
  })

  test('a check that throws keeps it closed (conntrackd down), bounded by the timeout', async () => {
    const h = harness([new Error('conntrackd is not running'), {state: 'in-sync', message: 'ok', missing: 0}])
    for (let i = 0; i < 20 && !h.gate.isOpen(); i++) await new Promise((r) => setImmediate(r))
    assert.equal(h.gate.isOpen(), true)
    assert.equal(h.calls.filter((c) => c === 'check').length, 2)
  })

  test('this node made MASTER by keepalived (the MASTER died) opens it; a MASTER starts open without checking', async () => {
    const h = harness([])
    h.gate.afterTransition('MASTER')
    assert.equal(h.gate.isOpen(), true)
    await h.gate.stop()
    const m = harness([], {role: 'MASTER'})
    assert.equal(m.gate.isOpen(), true)
    await m.gate.stop()
    assert.deepEqual(m.calls, [])
  })
})
