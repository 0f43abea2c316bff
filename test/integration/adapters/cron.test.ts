// node-cron behind the Cron adapter, for real: runs on a seconds schedule, never overlaps, stops, and its own
// warnings (a run skipped because the last one still runs) reach the daemon's JSON log, not the console.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {createNodeCron} from '../../../src/adapters/cron.js'
import {createLogger, silentLogger} from '../../../src/adapters/log.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('node-cron adapter', () => {
  test('validates expressions', () => {
    const cron = createNodeCron(silentLogger)
    assert.equal(cron.validate('*/5 * * * *'), true)
    assert.equal(cron.validate('99 * * * *'), false)
  })
  test('runs the job every second without overlap, logs the skipped run as JSON, and runs not after stop()', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-tool-cron-'))
    const file = join(dir, 'daemon.log')
    const consoleSaid: unknown[] = []
    const warn = console.warn
    const error = console.error
    console.warn = (...a: unknown[]) => { consoleSaid.push(a) }
    console.error = (...a: unknown[]) => { consoleSaid.push(a) }
    let runs = 0
    let active = 0
    let overlapped = false
    const task = createNodeCron(createLogger({level: 'info', file})).schedule('* * * * * *', 'ha-tool-test', async () => {
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
      await task.stop()
      const n = runs
      await sleep(1300)
      assert.equal(runs, n, 'no run after stop()')
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {level: number; msg: string; cron?: string})
      assert.ok(lines.some((l) => l.level === 40 && l.cron === 'ha-tool-test' && /overlap/.test(l.msg)), `the skipped run is a JSON warning in the log: ${JSON.stringify(lines)}`)
      assert.deepEqual(consoleSaid, [], 'node-cron wrote to the console')
    } finally {
      console.warn = warn
      console.error = error
      await task.stop()
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
