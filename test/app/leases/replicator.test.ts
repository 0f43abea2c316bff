// The daemon's lease replicator against fakes: the hook only queues while it runs; it drains the
// queue in one push, keeps everything while the peer is down, and after an overflow asks the peer
// for a full sync.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {runLeaseHook} from '../../../src/app/leases/lease-hook.js'
import {startReplicator} from '../../../src/app/leases/replicator.js'
import {NOW_S, world} from './fakes.js'

const env = {DNSMASQ_LEASE_EXPIRES: String(NOW_S + 900)}
const mac = (i: number) => `52:54:00:00:01:${i.toString(16).padStart(2, '0')}`

describe('startReplicator', () => {
  test('while it runs the hook only queues (no ssh); a drain sends every queued change in one push, in order', async () => {
    const w = world()
    const rep = startReplicator(w.deps, {pollMs: 60_000})
    try {
      assert.equal(w.replicatorUp, true)
      w.calls.length = 0
      for (let i = 1; i <= 5; i++) assert.equal((await runLeaseHook(w.deps, ['add', mac(i), `192.168.1.${100 + i}`], env)).push, 'queued')
      assert.deepEqual(w.calls, [], 'the hook made no ssh call')
      await rep.drain()
      assert.equal(w.queue.size, 0)
      assert.equal(w.peerReceived.length, 1, 'one push for the whole batch')
      assert.deepEqual(w.peerReceived[0].split('\n').filter(Boolean).map((l) => l.split(' ')[3]), ['192.168.1.101', '192.168.1.102', '192.168.1.103', '192.168.1.104', '192.168.1.105'])
      assert.equal(w.marks.get('toPeer')?.ok, true)
    } finally {
      await rep.stop()
    }
    assert.equal(w.replicatorUp, false, 'released on stop: the hook pushes by itself again')
    assert.equal((await runLeaseHook(w.deps, ['add', mac(9), '192.168.1.109'], env)).push, 'pushed')
  })

  test('peer down: everything stays queued, nothing lost; delivered once the peer is back', async () => {
    const w = world()
    w.peerUp = false
    const rep = startReplicator(w.deps, {pollMs: 60_000})
    try {
      for (let i = 1; i <= 3; i++) await runLeaseHook(w.deps, ['add', mac(i), `192.168.1.${100 + i}`], env)
      await rep.drain()
      assert.equal(w.queue.size, 3)
      assert.equal(w.marks.get('toPeer')?.ok, false)
      w.peerUp = true
      await rep.drain()
      assert.equal(w.queue.size, 0)
      assert.equal(w.peerReceived.join('').split('\n').filter(Boolean).length, 3)
    } finally {
      await rep.stop()
    }
  })

  test('bounded: past dnsmasq.queue_max the hook queues nothing and the peer is asked for a full leases sync', async () => {
    const w = world({queue_max: 2})
    w.peerUp = false
    const rep = startReplicator(w.deps, {pollMs: 60_000})
    try {
      const pushes = []
      for (let i = 1; i <= 3; i++) pushes.push((await runLeaseHook(w.deps, ['add', mac(i), `192.168.1.${100 + i}`], env)).push)
      assert.deepEqual(pushes, ['queued', 'queued', 'overflow'])
      assert.equal(w.overflow, true)
      w.peerUp = true
      await rep.drain()
      assert.equal(w.queue.size, 0)
      assert.ok(w.calls.some((c) => c === 'ssh /usr/sbin/ha-tool leases sync'), w.calls.join('; '))
      assert.equal(w.overflow, false)
    } finally {
      await rep.stop()
    }
  })
})
