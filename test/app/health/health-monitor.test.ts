import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {silentLogger} from '../../../src/adapters/log.js'
import {startHealthMonitor} from '../../../src/app/health-monitor.js'
import type {Config} from '../../../src/config/schema.js'
import {defaultConfig} from '../../../src/config/validate.js'
import type {Role} from '../../../src/core/transition/types.js'
import {type Answer, MemFiles, monitorDeps} from './fakes.js'

const TRACK = '/st/track'
const cfg = (over: Partial<Config['health']> = {}): Config => {
  const c = defaultConfig('ens7')
  c.state.dir = '/st'
  c.health = {...c.health, targets: ['192.0.2.1'], interval_ms: 100, timeout_ms: 50, rise: 2, fall: 2, via: 'main', ...over}
  return c
}

describe('startHealthMonitor', () => {
  test('writes the track_file on start and then only on change, with rise/fall', async () => {
    const files = new MemFiles()
    const answers: Record<string, Answer | undefined> = {'192.0.2.1': {ok: true}}
    const deps = monitorDeps(files, answers)
    const mon = startHealthMonitor(deps, cfg(), silentLogger)
    try {
      const statuses: string[] = []
      statuses.push((await mon.nextCycle()).status)
      answers['192.0.2.1'] = {ok: false}
      for (let i = 0; i < 2; i++) statuses.push((await mon.nextCycle()).status)
      answers['192.0.2.1'] = {ok: true}
      for (let i = 0; i < 2; i++) statuses.push((await mon.nextCycle()).status)
      assert.deepEqual(statuses, ['healthy', 'healthy', 'unhealthy', 'unhealthy', 'healthy'])
      assert.deepEqual(files.writes.filter((w) => w.path === TRACK).map((w) => w.text), ['0\n', '1\n', '0\n'])
      const status = JSON.parse(files.read('/st/health.json')!)
      assert.equal(status.status, 'healthy')
      assert.equal(status.value, 0)
    } finally {
      await mon.stop()
    }
  })

  test('the persisted maintenance flag wins, every cycle, and no probe runs', async () => {
    const files = new MemFiles()
    files.write('/st/maintenance', JSON.stringify({on: true, since: 1}))
    const deps = monitorDeps(files, {'192.0.2.1': {ok: true}})
    const mon = startHealthMonitor(deps, cfg(), silentLogger)
    try {
      assert.equal((await mon.nextCycle()).status, 'maintenance')
      assert.equal((await mon.nextCycle()).status, 'maintenance')
      assert.equal(files.read(TRACK), '2\n')
      assert.equal(deps.calls.length, 0)
      files.files.delete('/st/maintenance')
      assert.equal((await mon.nextCycle()).status, 'healthy')
      assert.equal(files.read(TRACK), '0\n')
    } finally {
      await mon.stop()
    }
  })

  test('WAN path on a BACKUP: standby writes 0 and probes nothing; promoted, it needs `fall` failures', async () => {
    const files = new MemFiles()
    let role: Role = 'BACKUP'
    const deps = monitorDeps(files, {'192.0.2.1': {ok: false}}, () => role)
    const mon = startHealthMonitor(deps, cfg({via: 'wan'}), silentLogger)
    try {
      assert.equal((await mon.nextCycle()).status, 'standby')
      assert.equal(files.read(TRACK), '0\n')
      assert.equal(deps.calls.length, 0)
      role = 'MASTER'
      assert.equal((await mon.nextCycle()).status, 'healthy', 'one failure after promotion is not enough')
      assert.equal((await mon.nextCycle()).status, 'unhealthy')
      assert.equal(files.read(TRACK), '1\n')
      assert.equal(deps.calls[0].opts.source?.v4, '198.51.100.10')
    } finally {
      await mon.stop()
    }
  })

  test('poke runs a cycle at once: a new BACKUP stops probing without waiting an interval', async () => {
    const files = new MemFiles()
    let role: Role = 'MASTER'
    const deps = monitorDeps(files, {'192.0.2.1': {ok: true}}, () => role)
    const mon = startHealthMonitor(deps, cfg({via: 'wan', interval_ms: 5000, timeout_ms: 50}), silentLogger)
    try {
      assert.equal((await mon.nextCycle()).status, 'healthy')
      role = 'BACKUP'
      const started = Date.now()
      const next = mon.nextCycle()
      mon.poke()
      assert.equal((await next).status, 'standby')
      assert.ok(Date.now() - started < 1000, 'did not wait for the 5 s interval')
    } finally {
      await mon.stop()
    }
  })

  test('a track_file that cannot be written is retried on the next cycle', async () => {
    const files = new MemFiles()
    const deps = monitorDeps(files, {'192.0.2.1': {ok: true}})
    let fail = true
    const write = deps.writeTrack
    deps.writeTrack = (p, v) => { if (fail) throw new Error('EACCES'); write(p, v) }
    const mon = startHealthMonitor(deps, cfg(), silentLogger)
    try {
      await mon.nextCycle()
      assert.equal(files.read(TRACK), undefined)
      fail = false
      await mon.nextCycle()
      assert.equal(files.read(TRACK), '0\n')
    } finally {
      await mon.stop()
    }
  })

  test('stop ends the cycles and closes long-lived probes', async () => {
    const files = new MemFiles()
    const deps = monitorDeps(files, {'192.0.2.1': {ok: true}})
    let closed = 0
    deps.close = () => { closed++ }
    const mon = startHealthMonitor(deps, cfg(), silentLogger)
    await mon.nextCycle()
    await mon.stop()
    const n = deps.cycles
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r))
    assert.equal(deps.cycles, n)
    assert.equal(closed, 1)
  })

  test('inconsistent settings are a config error at start (78, key named)', () => {
    const files = new MemFiles()
    assert.throws(() => startHealthMonitor(monitorDeps(files, {}), cfg({timeout_ms: 100, interval_ms: 100}), silentLogger), (e: Error & {exit?: number}) => e.exit === 78 && /health\.timeout_ms: timeout 100 ms is not shorter than the interval 100 ms/.test(e.message))
    assert.throws(() => startHealthMonitor(monitorDeps(files, {}), cfg({min_ok: 2}), silentLogger), (e: Error & {exit?: number}) => e.exit === 78 && /health\.min_ok: min_ok 2 exceeds the 1 target/.test(e.message))
  })
})
