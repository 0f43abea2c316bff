import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {parseStartTicks, spawnedBefore} from '../../../src/core/transition/order.js'

describe('spawn order', () => {
  const MAX = 4194304
  it('orders by start time first', () => {
    assert.equal(spawnedBefore({startTicks: 100, pid: 900}, {startTicks: 101, pid: 5}, MAX), true)
    assert.equal(spawnedBefore({startTicks: 101, pid: 5}, {startTicks: 100, pid: 900}, MAX), false)
  })
  it('orders by PID within the same 10 ms tick', () => {
    assert.equal(spawnedBefore({startTicks: 100, pid: 500}, {startTicks: 100, pid: 501}, MAX), true)
    assert.equal(spawnedBefore({startTicks: 100, pid: 501}, {startTicks: 100, pid: 500}, MAX), false)
  })
  it('sees through a PID wrap inside one tick', () => {
    assert.equal(spawnedBefore({startTicks: 100, pid: MAX - 2}, {startTicks: 100, pid: 301}, MAX), true)
    assert.equal(spawnedBefore({startTicks: 100, pid: 301}, {startTicks: 100, pid: MAX - 2}, MAX), false)
  })
  it('is never before itself', () => {
    assert.equal(spawnedBefore({startTicks: 7, pid: 7}, {startTicks: 7, pid: 7}, MAX), false)
  })
  it('reads field 22 of /proc/<pid>/stat even when the command has spaces and parens', () => {
    const rest = Array.from({length: 30}, (_, i) => String(i + 3))
    rest[19] = '123456'
    assert.equal(parseStartTicks(`42 (node (x) y) ${rest.join(' ')}`), 123456)
    assert.equal(parseStartTicks('garbage'), undefined)
  })
})
