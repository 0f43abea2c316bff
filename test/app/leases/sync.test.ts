// leases sync / receive / hook and the transition executors, against fakes: which way the merge reaches dnsmasq, and the failure modes.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {runLeaseHook, PEER_DOWN_BACKOFF_MS} from '../../../src/app/leases/lease-hook.js'
import {receiveLeases} from '../../../src/app/leases/receive-leases.js'
import {syncLeases} from '../../../src/app/leases/sync-leases.js'
import {createLeaseExecutors} from '../../../src/app/steps/leases.js'
import {HaError} from '../../../src/core/errors.js'
import {LOCAL, NOW_S, lease, world} from './fakes.js'

const A = '52:54:00:00:00:0a'
const B = '52:54:00:00:00:0b'
const mine = lease(NOW_S + 600, A, '192.168.1.150', 'a')
const theirs = lease(NOW_S + 900, B, '192.168.1.160', 'b')

describe('syncLeases', () => {
  test('dnsmasq stopped (BACKUP): the merged file is written, nothing else', async () => {
    const w = world()
    w.files.set(LOCAL, mine)
    w.peerFile = theirs
    const r = await syncLeases(w.deps)
    assert.equal(r.method, 'file')
    assert.equal(w.files.get(LOCAL), mine + theirs)
    assert.deepEqual(w.calls.filter((c) => !c.startsWith('ssh')), [`write ${LOCAL}`])
  })

  test('nothing new: nothing written, dnsmasq left alone', async () => {
    const w = world()
    w.files.set(LOCAL, mine + theirs)
    w.peerFile = theirs
    w.running = true
    assert.equal((await syncLeases(w.deps)).method, 'unchanged')
    assert.deepEqual(w.calls.filter((c) => !c.startsWith('ssh')), [])
  })

  test('dnsmasq running with D-Bus: AddDhcpLease for each new lease, and the file is never written under it', async () => {
    const w = world({apply: 'auto'})
    w.files.set(LOCAL, mine)
    w.peerFile = theirs
    w.running = true
    w.dbusPresent = true
    const r = await syncLeases(w.deps)
    assert.equal(r.method, 'dbus')
    assert.deepEqual(w.injected.map((l) => l.line), [theirs.trimEnd()])
    assert.ok(!w.calls.some((c) => c.startsWith('write')))
    assert.equal(w.files.get(LOCAL), mine)
  })

  test('D-Bus: a local lease that lost its address to the peer is deleted before the winner is added', async () => {
    const w = world({apply: 'dbus'})
    w.files.set(LOCAL, lease(NOW_S + 100, A, '192.168.1.150'))
    w.peerFile = lease(NOW_S + 900, B, '192.168.1.150')
    w.running = true
    await syncLeases(w.deps)
    assert.deepEqual(w.calls.filter((c) => c.startsWith('dbus')), ['dbus del 192.168.1.150', 'dbus add 192.168.1.150'])
  })

  test('dnsmasq running without D-Bus: stop, merge again, write, start', async () => {
    const w = world({apply: 'auto'})
    w.files.set(LOCAL, mine)
    w.peerFile = theirs
    w.running = true
    const r = await syncLeases(w.deps)
    assert.equal(r.method, 'restart')
    assert.deepEqual(w.calls.filter((c) => !c.startsWith('ssh')), ['stop', `write ${LOCAL}`, 'start'])
    assert.equal(w.files.get(LOCAL), mine + theirs)
  })

  test('restart mode: a failed write still starts dnsmasq again, and the error names the file', async () => {
    const w = world({apply: 'restart'})
    w.files.set(LOCAL, mine)
    w.peerFile = theirs
    w.running = true
    w.writeFails = 'disk full'
    await assert.rejects(syncLeases(w.deps), /dnsmasq.leases: cannot write the merged leases \(disk full\); the old file is intact/)
    assert.equal(w.running, true)
    assert.equal(w.files.get(LOCAL), mine)
  })

  test('peer unreachable: exit 69 and the local file untouched', async () => {
    const w = world()
    w.files.set(LOCAL, mine)
    w.peerUp = false
    await assert.rejects(syncLeases(w.deps), (e: unknown) => e instanceof HaError && e.exit === 69 && /unreachable/.test(e.message))
    assert.equal(w.files.get(LOCAL), mine)
    assert.ok(!w.calls.some((c) => c.startsWith('write')))
  })

  test('a malformed or truncated peer file is refused and named; nothing written', async () => {
    for (const [bad, why] of [[theirs + 'garbage here\n', /root@192\.168\.190\.2:\/var\/lib\/misc\/dnsmasq\.leases:2: /], [theirs.slice(0, 30), /:1: no newline at the end of the file: truncated/]] as const) {
      const w = world()
      w.files.set(LOCAL, mine)
      w.peerFile = bad
      await assert.rejects(syncLeases(w.deps), (e: unknown) => e instanceof HaError && why.test(e.message))
      assert.equal(w.files.get(LOCAL), mine)
    }
  })

  test('the peer without a lease file has nothing to give', async () => {
    const w = world()
    w.files.set(LOCAL, mine)
    w.peerFile = undefined
    assert.equal((await syncLeases(w.deps)).method, 'unchanged')
  })
})

describe('receiveLeases', () => {
  test('adds and deletes pushed by the peer; the last event per address wins', async () => {
    const w = world()
    w.files.set(LOCAL, mine)
    const r = await receiveLeases(w.deps, `add ${theirs}add ${lease(NOW_S + 50, B, '192.168.1.170')}del ${lease(NOW_S + 50, B, '192.168.1.170')}del ${mine}`)
    assert.equal(r.method, 'file')
    assert.equal(w.files.get(LOCAL), theirs)
  })

  test('never restarts a running dnsmasq: without D-Bus the change waits for the next sync', async () => {
    const w = world({apply: 'restart'})
    w.files.set(LOCAL, mine)
    w.running = true
    assert.equal((await receiveLeases(w.deps, `add ${theirs}`)).method, 'deferred')
    assert.deepEqual(w.calls, [])
  })

  test('garbage is a usage error', async () => {
    await assert.rejects(receiveLeases(world().deps, 'hello\n'), (e: unknown) => e instanceof HaError && e.exit === 2)
  })
})

describe('runLeaseHook', () => {
  const env = {DNSMASQ_LEASE_EXPIRES: String(NOW_S + 900)}
  test('add is pushed to the peer at once', async () => {
    const w = world()
    const r = await runLeaseHook(w.deps, ['add', B, '192.168.1.160', 'b'], env)
    assert.equal(r.push, 'pushed')
    assert.deepEqual(w.peerReceived, [`add ${theirs}`])
    assert.match(w.calls[0], /^ssh ha-tool leases receive$/)
  })

  test('peer down: queued; within the back-off queued without trying; then flushed in order with the next change', async () => {
    const w = world()
    w.peerUp = false
    assert.equal((await runLeaseHook(w.deps, ['add', B, '192.168.1.160', 'b'], env)).push, 'queued')
    const tries = w.calls.length
    assert.equal((await runLeaseHook(w.deps, ['del', B, '192.168.1.160', 'b'], env)).push, 'queued')
    assert.equal(w.calls.length, tries, 'no ssh attempt inside the back-off window')
    w.peerUp = true
    w.deps.now = () => NOW_S * 1000 + PEER_DOWN_BACKOFF_MS + 1
    assert.equal((await runLeaseHook(w.deps, ['add', A, '192.168.1.150', 'a'], env)).push, 'pushed')
    assert.equal(w.peerReceived.length, 1)
    assert.deepEqual(w.peerReceived[0].split('\n').filter(Boolean).map((l) => l.split(' ').slice(0, 4).join(' ')), [
      `add ${NOW_S + 900} ${B} 192.168.1.160`, `del ${NOW_S + 900} ${B} 192.168.1.160`, `add ${NOW_S + 900} ${A} 192.168.1.150`])
    assert.equal(w.queue.size, 0)
    assert.equal(w.failureAt, 0)
  })

  test('start-up old events are not pushed; unknown actions are ignored', async () => {
    const w = world()
    assert.equal((await runLeaseHook(w.deps, ['old', B, '192.168.1.160'], {...env, DNSMASQ_DATA_MISSING: '1'})).push, 'skipped')
    assert.equal((await runLeaseHook(w.deps, ['tftp', '1', '2', '3'], {})).push, 'skipped')
    assert.deepEqual(w.calls, [])
  })

  test('init prints this node\'s file merged with the peer\'s, or the local file alone when the peer is down', async () => {
    const w = world({leasefile_ro: true})
    w.files.set(LOCAL, mine)
    w.peerFile = theirs
    assert.equal((await runLeaseHook(w.deps, ['init'], {})).database, mine + theirs)
    w.peerUp = false
    assert.equal((await runLeaseHook(w.deps, ['init'], {})).database, mine)
  })

  test('leasefile_ro: the hook keeps the file itself (dnsmasq does not), and never injects back into dnsmasq', async () => {
    const w = world({leasefile_ro: true, apply: 'dbus'})
    w.running = true
    await runLeaseHook(w.deps, ['add', B, '192.168.1.160', 'b'], env)
    assert.equal(w.files.get(LOCAL), theirs)
    await runLeaseHook(w.deps, ['del', B, '192.168.1.160', 'b'], env)
    assert.equal(w.files.get(LOCAL), '')
    assert.deepEqual(w.injected, [])
  })
})

describe('lease step executors', () => {
  test('promotion: pull (file written while dnsmasq is stopped), then start; demotion: stop', async () => {
    const w = world()
    w.files.set(LOCAL, mine)
    w.peerFile = theirs
    const ex = createLeaseExecutors(() => w.deps)
    const stepDeps = {log: w.deps.log}
    const step = <K extends 'dnsmasq.start' | 'dnsmasq.stop'>(kind: K) => ({kind, args: {}, why: '', critical: false})
    assert.match(String((await ex['leases.pull']({kind: 'leases.pull', args: {allowRestart: true}, why: '', critical: false}, stepDeps))?.detail), /1 peer leases: 1 added/)
    assert.match(String((await ex['dnsmasq.start'](step('dnsmasq.start'), stepDeps))?.detail), /started/)
    assert.deepEqual(w.calls.filter((c) => !c.startsWith('ssh')), [`write ${LOCAL}`, 'start'])
    assert.match(String((await ex['dnsmasq.start'](step('dnsmasq.start'), stepDeps))?.detail), /already running/)
    assert.match(String((await ex['dnsmasq.stop'](step('dnsmasq.stop'), stepDeps))?.detail), /stopped pid 4242/)
    assert.match(String((await ex['dnsmasq.stop'](step('dnsmasq.stop'), stepDeps))?.detail), /not running/)
  })
})
