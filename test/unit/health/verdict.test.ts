import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {decided, type ProbeResult, quorum} from '../../../src/core/health/verdict.js'

const r = (target: string, ok: boolean, detail = ok ? '1 ms' : 'no reply', skipped = false): ProbeResult => ({target, kind: 'icmp', ok, ms: 1, detail, ...(skipped ? {skipped} : {})})

describe('quorum', () => {
  test('exactly min_ok answers is healthy, one fewer is not', () => {
    const two = [r('a', true), r('b', true), r('c', false)]
    assert.equal(quorum(two, 2).healthy, true)
    assert.equal(quorum(two, 3).healthy, false)
  })

  test('one dead target among three does not fail min_ok 1 or 2', () => {
    const results = [r('a', false), r('b', true), r('c', true)]
    assert.deepEqual(quorum(results, 1), {healthy: true, ok: 2, total: 3, minOk: 1, reason: 'healthy: 2/3 targets answered (min_ok 1); failed: a no reply'})
  })

  test('all dead: the reason lists each failure', () => {
    const v = quorum([r('a', false, 'refused'), r('tcp://b:1', false, 'timed out after 500 ms')], 1)
    assert.equal(v.healthy, false)
    assert.equal(v.reason, 'unhealthy: 0/2 targets answered, need 1: a refused; tcp://b:1 timed out after 500 ms')
  })

  test('probes skipped once decided are counted but not listed as failures', () => {
    const v = quorum([r('a', true), r('b', false, 'not needed (decided)', true)], 1)
    assert.equal(v.reason, 'healthy: 1/2 targets answered (min_ok 1)')
  })
})

describe('decided', () => {
  test('decided when enough answered, or too few can still answer', () => {
    assert.equal(decided(1, 0, 3, 1), true)
    assert.equal(decided(1, 1, 3, 2), false)
    assert.equal(decided(0, 2, 3, 2), true)
    assert.equal(decided(0, 1, 3, 2), false)
    assert.equal(decided(0, 0, 3, 3), false)
    assert.equal(decided(0, 1, 3, 3), true)
  })
})
