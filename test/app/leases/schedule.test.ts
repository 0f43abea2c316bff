// The daemon's scheduled full sync: node-cron for real, fakes for the adapters.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {startLeaseSchedule} from '../../../src/app/leases/lease-schedule.js'
import {HaError} from '../../../src/core/errors.js'
import {LOCAL, NOW_S, lease, world} from './fakes.js'

describe('startLeaseSchedule', () => {
  test('runs leases sync on the cron schedule, survives a failing run, and stops', async () => {
    const w = world({sync_schedule: '* * * * * *'})
    w.files.set(LOCAL, '')
    w.peerFile = lease(NOW_S + 900, '52:54:00:00:00:0b', '192.168.1.160')
    w.peerUp = false // the first runs fail: logged, not thrown
    const s = startLeaseSchedule(w.deps, w.deps.config, w.deps.log)
    try {
      for (let i = 0; i < 60 && !w.calls.some((c) => c.startsWith('ssh cat')); i++) await new Promise((r) => setTimeout(r, 50))
      assert.ok(w.calls.some((c) => c.startsWith('ssh cat')), 'a scheduled run tried the peer')
      w.peerUp = true
      for (let i = 0; i < 60 && !w.files.get(LOCAL); i++) await new Promise((r) => setTimeout(r, 50))
      assert.equal(w.files.get(LOCAL), w.peerFile)
    } finally {
      await s.stop()
    }
    const n = w.calls.length
    await new Promise((r) => setTimeout(r, 1300))
    assert.equal(w.calls.length, n, 'no run after stop()')
  })

  test('after each run the daemon logs a warning while replication is behind by more than dnsmasq.sync_warn_s', async () => {
    const w = world({sync_schedule: '* * * * * *', sync_warn_s: 30})
    w.peerFile = ''
    w.setAside.set('00001', 'peer refused: exit 2')
    const warnings: string[] = []
    const log = {...w.deps.log, warn: (f: unknown, msg?: string) => { warnings.push(msg ?? String(f)) }}
    const s = startLeaseSchedule(w.deps, w.deps.config, log)
    try {
      for (let i = 0; i < 60 && warnings.length === 0; i++) await new Promise((r) => setTimeout(r, 50))
    } finally {
      await s.stop()
    }
    assert.match(warnings[0] ?? '', /lease replication behind by more than dnsmasq.sync_warn_s = 30 s: 1 batch refused by the peer/)
  })

  test('off when the schedule is "" or dnsmasq is not managed; a bad expression is a config error', async () => {
    await startLeaseSchedule(world({sync_schedule: ''}).deps, world({sync_schedule: ''}).deps.config, world().deps.log).stop()
    const off = world({enabled: false})
    await startLeaseSchedule(off.deps, off.deps.config, off.deps.log).stop()
    const bad = world({sync_schedule: '99 * * * *'})
    assert.throws(() => startLeaseSchedule(bad.deps, bad.deps.config, bad.deps.log), (e: unknown) => e instanceof HaError && e.exit === 78)
  })
})
