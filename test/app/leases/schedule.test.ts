// The daemon's scheduled full sync over a fake cron that the test fires (node-cron itself: test/integration/adapters/cron.test.ts).
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {startLeaseSchedule} from '../../../src/app/leases/lease-schedule.js'
import type {Cron} from '../../../src/adapters/cron.js'
import {HaError} from '../../../src/core/errors.js'
import {LOCAL, NOW_S, lease, world} from './fakes.js'

/** A cron that runs its job when the test says so; validates like node-cron's field count. */
function fakeCron() {
  let job: (() => Promise<void>) | undefined
  const cron: Cron = {
    validate: (expr) => !expr.startsWith('99'),
    schedule: (_expr, _name, fn) => {
      job = fn
      return {stop: async () => { job = undefined }}
    },
  }
  return {cron, fire: async () => { await job?.() }, scheduled: () => job !== undefined}
}

describe('startLeaseSchedule', () => {
  test('runs leases sync on the cron schedule, survives a failing run, and stops', async () => {
    const w = world({sync_schedule: '* * * * * *'})
    w.files.set(LOCAL, '')
    w.peerFile = lease(NOW_S + 900, '52:54:00:00:00:0b', '192.168.1.160')
    w.peerUp = false // the first runs fail: logged, not thrown
    const c = fakeCron()
    const s = startLeaseSchedule(w.deps, w.deps.config, w.deps.log, c.cron)
    try {
      await c.fire()
      assert.ok(w.calls.some((x) => x.startsWith('ssh cat')), 'a scheduled run tried the peer')
      assert.equal(w.files.get(LOCAL), '', 'the failed run changed nothing')
      w.peerUp = true
      await c.fire()
      assert.equal(w.files.get(LOCAL), w.peerFile)
    } finally {
      await s.stop()
    }
    assert.equal(c.scheduled(), false, 'no run after stop()')
  })

  test('after each run the daemon logs a warning while replication is behind by more than dnsmasq.sync_warn_s', async () => {
    const w = world({sync_schedule: '* * * * * *', sync_warn_s: 30})
    w.peerFile = ''
    w.setAside.set('00001', 'peer refused: exit 2')
    const warnings: string[] = []
    const log = {...w.deps.log, warn: (f: unknown, msg?: string) => { warnings.push(msg ?? String(f)) }}
    const c = fakeCron()
    const s = startLeaseSchedule(w.deps, w.deps.config, log, c.cron)
    try {
      await c.fire()
    } finally {
      await s.stop()
    }
    assert.match(warnings[0] ?? '', /lease replication behind by more than dnsmasq.sync_warn_s = 30 s: 1 batch refused by the peer/)
  })

  test('off when the schedule is "" or dnsmasq is not managed; a bad expression is a config error', async () => {
    const c = fakeCron()
    await startLeaseSchedule(world({sync_schedule: ''}).deps, world({sync_schedule: ''}).deps.config, world().deps.log, c.cron).stop()
    const off = world({enabled: false})
    await startLeaseSchedule(off.deps, off.deps.config, off.deps.log, c.cron).stop()
    assert.equal(c.scheduled(), false)
    const bad = world({sync_schedule: '99 * * * *'})
    assert.throws(() => startLeaseSchedule(bad.deps, bad.deps.config, bad.deps.log, c.cron), (e: unknown) => e instanceof HaError && e.exit === 78)
  })
})
