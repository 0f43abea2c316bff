// dnsmasq's --dhcp-script calls turned into lease events, and the lease steps of a transition.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {HaError} from '../../../src/core/errors.js'
import {parseHookEvent} from '../../../src/core/leases/hook-event.js'
import {leaseSteps} from '../../../src/core/leases/transition-steps.js'

describe('parseHookEvent', () => {
  test('add with the lease details dnsmasq puts in the environment', () => {
    const e = parseHookEvent(['add', '52:54:00:AA:BB:CC', '192.168.1.150', 'laptop'], {DNSMASQ_LEASE_EXPIRES: '1767225600', DNSMASQ_CLIENT_ID: '01:52:54:00:aa:bb:cc'}, 1)
    assert.deepEqual(e, {action: 'add', lease: {family: 4, expiry: 1767225600, mac: '52:54:00:aa:bb:cc', ip: '192.168.1.150', host: 'laptop', clientId: '01:52:54:00:aa:bb:cc'}})
  })

  test('no hostname, no client id, time remaining instead of an expiry, infinite', () => {
    assert.deepEqual(parseHookEvent(['old', 'aa:bb:cc:dd:ee:ff', '10.0.0.2'], {DNSMASQ_TIME_REMAINING: '60'}, 1000), {action: 'old', lease: {family: 4, expiry: 1060, mac: 'aa:bb:cc:dd:ee:ff', ip: '10.0.0.2', host: '*', clientId: '*'}})
    const inf = parseHookEvent(['del', 'aa:bb:cc:dd:ee:ff', '10.0.0.2'], {}, 1000)
    assert.equal(inf.action === 'del' && inf.lease.expiry, 0)
  })

  test('IPv6: the second argument is the client DUID, the IAID comes from DNSMASQ_IAID', () => {
    const e = parseHookEvent(['add', '00:01:00:01:AA', 'fd00::5', 'h'], {DNSMASQ_IAID: 'T12', DNSMASQ_LEASE_EXPIRES: '5'}, 1)
    assert.deepEqual(e, {action: 'add', lease: {family: 6, expiry: 5, iaid: 'T12', ip: 'fd00::5', host: 'h', duid: '00:01:00:01:aa'}})
    assert.throws(() => parseHookEvent(['add', '00:01', 'fd00::5'], {}, 1), (err: unknown) => err instanceof HaError && err.exit === 2)
  })

  test('init, and actions dnsmasq(8) says to ignore', () => {
    assert.deepEqual(parseHookEvent(['init'], {}, 1), {action: 'init'})
    assert.deepEqual(parseHookEvent(['tftp', '1', '2', '3'], {}, 1), {action: 'ignored', name: 'tftp'})
    assert.deepEqual(parseHookEvent(['arp-add', 'x', 'y'], {}, 1), {action: 'ignored', name: 'arp-add'})
  })

  test('a call without action or address is a usage error', () => {
    assert.throws(() => parseHookEvent([], {}, 1), (e: unknown) => e instanceof HaError && e.exit === 2)
    assert.throws(() => parseHookEvent(['add', 'aa:bb:cc:dd:ee:ff'], {}, 1), (e: unknown) => e instanceof HaError && e.exit === 2)
  })
})

describe('leaseSteps', () => {
  const cfg = (enabled: boolean, stop: boolean, wait = 1000) => ({dnsmasq: {enabled, stop_on_backup: stop, pull_wait_ms: wait}})
  test('MASTER: pull and merge first, then start dnsmasq; both non-critical', () => {
    assert.deepEqual(leaseSteps('MASTER', cfg(true, true)).map((s) => [s.kind, s.critical]), [['leases.pull', false], ['dnsmasq.start', false]])
  })
  test('MASTER: the pull carries dnsmasq.pull_wait_ms, the longest dnsmasq waits for the peer', () => {
    for (const wait of [0, 250, 5000]) {
      const pull = leaseSteps('MASTER', cfg(true, false, wait))[0]
      assert.deepEqual(pull.kind === 'leases.pull' && pull.args, {allowRestart: true, startDnsmasqAfterMs: wait})
      assert.match(pull.why, new RegExp(`not answered in ${wait} ms`))
    }
  })
  test('BACKUP, FAULT, STOP stop dnsmasq in active/passive mode only', () => {
    for (const role of ['BACKUP', 'FAULT', 'STOP'] as const) {
      assert.deepEqual(leaseSteps(role, cfg(true, true)).map((s) => s.kind), ['dnsmasq.stop'])
      assert.deepEqual(leaseSteps(role, cfg(true, false)), [])
    }
  })
  test('nothing when dnsmasq is not managed', () => {
    assert.deepEqual(leaseSteps('MASTER', cfg(false, true)), [])
    assert.deepEqual(leaseSteps('BACKUP', cfg(false, true)), [])
  })
})
