import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {type Hysteresis, INITIAL_HYSTERESIS, nextHysteresis, STANDBY_HYSTERESIS} from '../../../src/core/health/hysteresis.js'
import {parseTrackValue, trackValue} from '../../../src/core/health/track-value.js'

const run = (samples: boolean[], limits = {rise: 3, fall: 2}, from: Hysteresis = INITIAL_HYSTERESIS) => {
  const out: string[] = []
  let h = from
  for (const s of samples) { h = nextHysteresis(h, s, limits); out.push(h.status) }
  return out
}

describe('rise/fall hysteresis', () => {
  test('the first sample decides at once', () => {
    assert.deepEqual(run([false]), ['unhealthy'])
    assert.deepEqual(run([true]), ['healthy'])
  })

  test('fall consecutive failures to go unhealthy, rise consecutive successes to come back', () => {
    assert.deepEqual(run([true, false, false, true, true, true]), ['healthy', 'healthy', 'unhealthy', 'unhealthy', 'unhealthy', 'healthy'])
  })

  test('an interrupted streak starts over', () => {
    assert.deepEqual(run([true, false, true, false, true]), ['healthy', 'healthy', 'healthy', 'healthy', 'healthy'])
    assert.deepEqual(run([false, true, true, false, true, true, true]), ['unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'healthy'])
  })

  test('rise 1 fall 1 follows every sample', () => {
    assert.deepEqual(run([true, false, true], {rise: 1, fall: 1}), ['healthy', 'unhealthy', 'healthy'])
  })

  test('after standby a promoted node needs fall failures, not one', () => {
    assert.deepEqual(run([false, false], {rise: 2, fall: 2}, STANDBY_HYSTERESIS), ['healthy', 'unhealthy'])
  })
})

describe('track_file values', () => {
  test('0 healthy, 1 unhealthy, 2 maintenance (maintenance wins)', () => {
    assert.equal(trackValue({maintenance: false, healthy: true}), 0)
    assert.equal(trackValue({maintenance: false, healthy: false}), 1)
    assert.equal(trackValue({maintenance: true, healthy: true}), 2)
    assert.equal(trackValue({maintenance: true, healthy: false}), 2)
  })

  test('parse what keepalived would read', () => {
    assert.deepEqual(parseTrackValue('2\n'), {value: 2, state: 'maintenance'})
    assert.deepEqual(parseTrackValue(' 0 '), {value: 0, state: 'ok'})
    assert.deepEqual(parseTrackValue('-5'), {value: -5, state: 'unhealthy'})
    assert.equal(parseTrackValue('x'), undefined)
  })
})
