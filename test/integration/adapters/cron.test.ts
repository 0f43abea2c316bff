// node-cron behind the Cron adapter, for real: runs on a seconds schedule, never overlaps, stops.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {nodeCron} from '../../../src/adapters/cron.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('nodeCron', () => {
  test('validates expressions', () => {
    assert.equal(nodeCron.validate('*/5 * * * *'), true)
    assert.equal(nodeCron.validate('99 * * * *'), false)
  })
  test('runs the job every second without overlap, and not after stop()', async () => {
    let runs = 0
    let active = 0
    let overlapped = false
    const task = nodeCron.schedule('* * * * * *', 'ha-tool-test', async () => {
      runs++
      active++
      if (active > 1) overlapped = true
      await sleep(1500) // longer than the period: the next tick must be skipped, not run alongside
      active--
    })
    try {
      for (let i = 0; i < 40 && runs === 0; i++) await sleep(50)
      assert.equal(runs, 1, 'a run started within 2 s')
      await sleep(1200)
      assert.equal(overlapped, false)
    } finally {
      await task.stop()
    }
    const n = runs
    await sleep(1300)
    assert.equal(runs, n, 'no run after stop()')
  })
})
