import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {silentLogger} from '../../../src/adapters/log.js'
import {readHealthView} from '../../../src/app/health-status.js'
import {maintenanceOff, maintenanceOn} from '../../../src/app/maintenance.js'
import {defaultConfig} from '../../../src/config/validate.js'
import {maintenanceDeps, MemFiles} from './fakes.js'

const config = () => { const c = defaultConfig('ens7'); c.state.dir = '/st'; return c }

describe('maintenance on/off', () => {
  test('on writes the flag and 2 to the track_file; twice keeps the first since', () => {
    const files = new MemFiles()
    const r = maintenanceOn(config(), maintenanceDeps(files), silentLogger, 'alice')
    assert.deepEqual(r, {maintenance: true, changed: true, since: 1_700_000_000_000, trackFile: '/st/track', value: 2, flagFile: '/st/maintenance'})
    assert.equal(files.read('/st/track'), '2\n')
    assert.deepEqual(JSON.parse(files.read('/st/maintenance')!), {on: true, since: 1_700_000_000_000, by: 'alice'})
    const again = maintenanceOn(config(), {...maintenanceDeps(files), now: () => 5}, silentLogger)
    assert.equal(again.changed, false)
    assert.equal(again.since, 1_700_000_000_000)
  })

  test('off removes the flag and writes 0 when no monitor finds the node unhealthy', () => {
    const files = new MemFiles()
    maintenanceOn(config(), maintenanceDeps(files), silentLogger)
    const r = maintenanceOff(config(), maintenanceDeps(files), silentLogger)
    assert.equal(r.changed, true)
    assert.equal(r.value, 0)
    assert.equal(files.read('/st/maintenance'), undefined)
    assert.equal(files.read('/st/track'), '0\n')
  })

  test('off writes 1 while a running monitor finds the node unhealthy, 0 if that monitor is gone', () => {
    const unhealthy = JSON.stringify({version: 1, status: 'unhealthy', reason: 'x', value: 1, since: 1, at: 1, pid: 4242})
    for (const [alive, value] of [[true, 1], [false, 0]] as const) {
      const files = new MemFiles()
      files.write('/st/health.json', unhealthy)
      maintenanceOn(config(), maintenanceDeps(files, alive), silentLogger)
      assert.equal(maintenanceOff(config(), maintenanceDeps(files, alive), silentLogger).value, value)
      assert.equal(files.read('/st/track'), `${value}\n`)
    }
  })

  test('off when not on changes nothing', () => {
    const files = new MemFiles()
    files.write('/st/track', '0\n')
    const r = maintenanceOff(config(), maintenanceDeps(files), silentLogger)
    assert.equal(r.changed, false)
    assert.equal(files.writes.length, 1)
  })

  test('status sees the flag, the track_file value and the monitor verdict', () => {
    const files = new MemFiles()
    files.write('/st/health.json', JSON.stringify({version: 1, status: 'healthy', reason: 'healthy: 1/1', value: 0, since: 1, at: 2, pid: 7}))
    maintenanceOn(config(), maintenanceDeps(files), silentLogger, 'bob')
    const v = readHealthView(config(), maintenanceDeps(files, false))
    assert.deepEqual(v.maintenance, {on: true, since: 1_700_000_000_000, by: 'bob', file: '/st/maintenance'})
    assert.deepEqual(v.track, {file: '/st/track', value: 2, state: 'maintenance'})
    assert.equal(v.monitor?.running, false)
    assert.equal(v.monitor?.status, 'healthy')
  })
})
