import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import type {CheckSettings} from '../../../src/app/health-settings.js'
import {runCheck} from '../../../src/app/run-check.js'
import {createCancel} from '../../../src/core/health/cancel.js'
import {parseTargets, type Target} from '../../../src/core/health/targets.js'
import type {Role} from '../../../src/core/transition/types.js'
import {type Answer, fakeProber} from './fakes.js'

const settings = (targets: string[], over: Partial<CheckSettings> = {}): CheckSettings => ({
  targets: parseTargets(targets) as Target[], minOk: 1, timeoutMs: 300, probeTimeoutMs: 300, intervalMs: 1000,
  via: 'main', wanInterface: '', httpStatus: [200, 399], stateDir: '/nonexistent', ...over,
})
const deps = (answers: Record<string, Answer | undefined>, role?: Role, v4: string | undefined = '198.51.100.10') => {
  const p = fakeProber(answers)
  return {probe: p.probe, calls: p.calls, role: () => ({role, source: '/run/ha-tool/state.json'}), wanAddresses: () => ({exists: true, ...(v4 ? {v4} : {})}), mono: () => performance.now()}
}

describe('runCheck', () => {
  test('healthy with min_ok 1 as soon as the first target answers: the slow one is cut short', async () => {
    const d = deps({'192.0.2.1': {ok: true, afterMs: 5}, '192.0.2.2': {ok: true, afterMs: 250}})
    const started = performance.now()
    const r = await runCheck(settings(['192.0.2.1', '192.0.2.2']), d)
    assert.ok(performance.now() - started < 150, 'did not wait for the slow target')
    assert.equal(r.healthy, true)
    assert.equal(r.status, 'healthy')
    assert.deepEqual(r.results.map((x) => [x.target, x.ok, x.skipped ?? false]), [['192.0.2.1', true, false], ['192.0.2.2', false, true]])
  })

  test('unhealthy as soon as too few can still answer', async () => {
    const d = deps({'192.0.2.1': {ok: false, afterMs: 1, detail: 'no reply'}, '192.0.2.2': {ok: true, afterMs: 250}, '192.0.2.3': {ok: true, afterMs: 250}})
    const started = performance.now()
    const r = await runCheck(settings(['192.0.2.1', '192.0.2.2', '192.0.2.3'], {minOk: 3}), d)
    assert.ok(performance.now() - started < 150)
    assert.equal(r.healthy, false)
    assert.match(r.reason, /^unhealthy: 0\/3 targets answered, need 3: 192\.0\.2\.1 no reply$/)
  })

  test('one dead target of three with min_ok 2 stays healthy', async () => {
    const d = deps({'192.0.2.1': {ok: false, afterMs: 1}, '192.0.2.2': {ok: true, afterMs: 2}, '192.0.2.3': {ok: true, afterMs: 3}})
    const r = await runCheck(settings(['192.0.2.1', '192.0.2.2', '192.0.2.3'], {minOk: 2}), d)
    assert.equal(r.healthy, true)
    assert.equal(r.ok, 2)
  })

  test('the overall deadline ends probes that have a longer timeout of their own', async () => {
    const d = deps({'192.0.2.1': undefined})
    const started = performance.now()
    const r = await runCheck(settings(['192.0.2.1'], {timeoutMs: 80, probeTimeoutMs: 5000}), d)
    const took = performance.now() - started
    assert.ok(took >= 75 && took < 200, `took ${took} ms`)
    assert.equal(r.healthy, false)
    assert.equal(r.results[0].detail, 'timed out (deadline 80 ms)')
  })

  test('each probe gets the per-probe timeout', async () => {
    const d = deps({'192.0.2.1': undefined})
    const r = await runCheck(settings(['192.0.2.1'], {timeoutMs: 300, probeTimeoutMs: 40}), d)
    assert.equal(d.calls[0].opts.timeoutMs, 40)
    assert.equal(r.results[0].detail, 'timed out after 40 ms')
  })

  test('an abort (SIGTERM) stops at once and is unhealthy even if something answered', async () => {
    const d = deps({'192.0.2.1': {ok: true, afterMs: 1}, '192.0.2.2': undefined})
    const term = createCancel()
    setTimeout(() => term.cancel(), 30)
    const started = performance.now()
    const r = await runCheck(settings(['192.0.2.1', '192.0.2.2'], {minOk: 2, timeoutMs: 900, probeTimeoutMs: 900}), d, term)
    assert.ok(performance.now() - started < 200)
    assert.equal(r.healthy, false)
    assert.match(r.reason, /^unhealthy: interrupted by SIGTERM after \d+ ms \(1\/2 targets had answered\)$/)
  })

  test('via wan on a BACKUP: standby, healthy, and no probe is sent', async () => {
    const d = deps({'192.0.2.1': {ok: false}}, 'BACKUP')
    const r = await runCheck(settings(['192.0.2.1'], {via: 'wan', wanInterface: 'ens7'}), d)
    assert.equal(r.healthy, true)
    assert.equal(r.status, 'standby')
    assert.equal(d.calls.length, 0)
    assert.equal(r.reason, 'standby: role BACKUP, so no probes out of WAN ens7 (only the MASTER probes its WAN)')
  })

  test('via wan on the MASTER: every probe is bound to the WAN address', async () => {
    const d = deps({'192.0.2.1': {ok: true}}, 'MASTER')
    const r = await runCheck(settings(['192.0.2.1'], {via: 'auto', wanInterface: 'ens7'}), d)
    assert.equal(r.path, 'wan')
    assert.deepEqual(d.calls[0].opts.source, {dev: 'ens7', v4: '198.51.100.10', v6: undefined})
    assert.match(r.reason, /^healthy via WAN ens7: 1\/1/)
  })
})

describe('runCheck: a node whose role is not recorded', () => {
  const wan = {via: 'wan' as const, wanInterface: 'wan0'}
  test('asks keepalived over D-Bus: MASTER there means it probes out of the WAN', async () => {
    const d = deps({'192.0.2.1': {ok: true, afterMs: 1}})
    const r = await runCheck(settings(['192.0.2.1'], wan), {...d, keepalivedRole: async () => 'MASTER'})
    assert.equal(r.status, 'healthy')
    assert.equal(r.role, 'MASTER')
    assert.equal(d.calls.length, 1)
    assert.match(r.reason, /via WAN wan0/)
  })

  test('keepalived cannot tell (no answer, or no D-Bus): "unknown", healthy, no WAN probes', async () => {
    for (const keepalivedRole of [async () => undefined, async () => { throw new Error('no bus') }, undefined]) {
      const d = deps({'192.0.2.1': {ok: true, afterMs: 1}})
      const r = await runCheck(settings(['192.0.2.1'], wan), {...d, ...(keepalivedRole ? {keepalivedRole} : {})})
      assert.equal(r.status, 'unknown')
      assert.equal(r.healthy, true)
      assert.equal(d.calls.length, 0)
      assert.match(r.reason, /^unknown: no role recorded/)
    }
  })
})
