// leases sync / receive / hook and the transition executors, against fakes: which way the merge reaches dnsmasq, and the failure modes.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {runLeaseHook, PEER_DOWN_BACKOFF_MS} from '../../../src/app/leases/lease-hook.js'
import {receiveLeases} from '../../../src/app/leases/receive-leases.js'
import {syncLeases} from '../../../src/app/leases/sync-leases.js'
import {createLeaseExecutors} from '../../../src/app/steps/leases.js'
import {HaError} from '../../../src/core/errors.js'
import {LOCAL, NOW_S, lease, type World, world} from './fakes.js'

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

describe('replication marks (what status shows in each direction)', () => {
  test('a push marks toPeer, a sync and a received push mark fromPeer; failures keep the last success', async () => {
    const w = world()
    w.files.set(LOCAL, mine)
    w.peerFile = theirs
    await runLeaseHook(w.deps, ['add', B, '192.168.1.160', 'b'], {DNSMASQ_LEASE_EXPIRES: String(NOW_S + 900)})
    assert.deepEqual(w.marks.get('toPeer'), {at: NOW_S * 1000, ok: true, lastOkAt: NOW_S * 1000})
    await syncLeases(w.deps)
    assert.deepEqual(w.marks.get('fromPeer'), {at: NOW_S * 1000, ok: true, lastOkAt: NOW_S * 1000})
    w.peerUp = false
    w.deps.now = () => NOW_S * 1000 + 5000
    await assert.rejects(syncLeases(w.deps))
    assert.deepEqual(w.marks.get('fromPeer'), {at: NOW_S * 1000 + 5000, ok: false, lastOkAt: NOW_S * 1000, error: `peer ${w.deps.config.dnsmasq.peer} unreachable: ssh failed: Connection refused`})
    await runLeaseHook(w.deps, ['add', A, '192.168.1.150', 'a'], {DNSMASQ_LEASE_EXPIRES: String(NOW_S + 900)})
    assert.equal(w.marks.get('toPeer')?.ok, false)
    const r = world()
    await receiveLeases(r.deps, `add ${theirs}`)
    assert.equal(r.marks.get('fromPeer')?.ok, true)
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
    // A lease line it cannot read too (the sender then sets the batch aside): exit 2, nothing applied.
    const w = world()
    await assert.rejects(receiveLeases(w.deps, `add ${theirs}add 1 x\n`), (e: unknown) => e instanceof HaError && e.exit === 2 && /pushed leases:2/.test(e.message))
    assert.deepEqual(w.calls, [])
  })
})

describe('runLeaseHook', () => {
  const env = {DNSMASQ_LEASE_EXPIRES: String(NOW_S + 900)}
  test('add is pushed to the peer at once', async () => {
    const w = world()
    const r = await runLeaseHook(w.deps, ['add', B, '192.168.1.160', 'b'], env)
    assert.equal(r.push, 'pushed')
    assert.deepEqual(w.peerReceived, [`add ${theirs}`])
    assert.match(w.calls[0], /^ssh \/usr\/sbin\/ha-tool leases receive$/)
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

  test('dnsmasq running its script for a lease the peer pushed (the echo) sends nothing back; a different lease, a deletion, or the same one after the window still goes', async () => {
    for (const replicator of [false, true]) {
      const w = world()
      w.replicatorUp = replicator
      await receiveLeases(w.deps, `add ${theirs}`)
      const sent = () => w.peerReceived.length + w.queue.size
      const echo = await runLeaseHook(w.deps, ['add', B, '192.168.1.160', 'b'], env)
      assert.equal(echo.push, 'skipped', 'the echo of the received lease')
      assert.equal(sent(), 0)
      // The same address with another expiry (a renewal here) is news for the peer.
      assert.notEqual((await runLeaseHook(w.deps, ['old', B, '192.168.1.160', 'b'], {DNSMASQ_LEASE_EXPIRES: String(NOW_S + 1800)})).push, 'skipped')
      assert.equal(sent(), 1)
      assert.notEqual((await runLeaseHook(w.deps, ['del', B, '192.168.1.160', 'b'], env)).push, 'skipped')
      assert.equal(sent(), 2)
      w.deps.now = () => NOW_S * 1000 + 121_000
      assert.notEqual((await runLeaseHook(w.deps, ['add', B, '192.168.1.160', 'b'], env)).push, 'skipped', 'past the window: sent again')
      assert.equal(sent(), 3)
    }
  })

  test('a received deletion: dnsmasq\'s del event for it is not sent back', async () => {
    const w = world()
    await receiveLeases(w.deps, `del ${theirs}`)
    assert.equal((await runLeaseHook(w.deps, ['del', B, '192.168.1.160', 'b'], env)).push, 'skipped')
    assert.equal(w.peerReceived.length, 0)
  })

  test('a hostname or client id that would inject a line (newline, space, control byte) refuses the event: nothing written, pushed or queued', async () => {
    const evil = `x\n0 00:11:22:33:44:55 192.168.1.1 evil *`
    const cases: Array<[string[], Record<string, string>]> = [
      [['add', B, '192.168.1.160', evil], env],
      [['add', B, '192.168.1.160', 'two words'], env],
      [['add', B, '192.168.1.160', 'tab\there'], env],
      [['add', B, '192.168.1.160', 'b'], {...env, DNSMASQ_CLIENT_ID: `01:aa\n0 00:11:22:33:44:55 192.168.1.1 evil *`}],
      [['add', B, '192.168.1.160', 'b'], {...env, DNSMASQ_CLIENT_ID: '01:aa bb'}],
      [['add', `${B}\n0`, '192.168.1.160', 'b'], env],
      [['add', B, '192.168.1.160\n0', 'b'], env],
      [['add', 'not-a-mac', '192.168.1.160', 'b'], env],
      [['add', B, '192.168.1.999', 'b'], env],
      [['add', '00:01:aa', 'fd00::5', 'h'], {...env, DNSMASQ_IAID: '12\n0'}],
      [['add', '00:01:aa', 'fd00::5', 'h'], {...env, DNSMASQ_IAID: 'x'}],
    ]
    for (const leasefileRo of [false, true]) {
      for (const [args, e] of cases) {
        const w = world({leasefile_ro: leasefileRo})
        w.files.set(LOCAL, mine)
        await assert.rejects(runLeaseHook(w.deps, args, e), (err: unknown) => err instanceof HaError && err.exit === 2, JSON.stringify(args))
        assert.deepEqual([w.calls, w.peerReceived, w.queue.size, w.files.get(LOCAL)], [[], [], 0, mine], JSON.stringify([args, e]))
      }
      // A peer that is down changes nothing: a refused event is not queued either.
      const w = world({leasefile_ro: leasefileRo})
      w.peerUp = false
      await assert.rejects(runLeaseHook(w.deps, ['add', B, '192.168.1.160', evil], env))
      assert.equal(w.queue.size, 0)
    }
    // What dnsmasq does send is still taken: DNS names with '-', '_', '.', a hardware type, no host.
    for (const [args, e] of [[['add', B, '192.168.1.160', 'my-host_1.lan'], env], [['add', '06-52:54:00:00:00:0b', '192.168.1.160'], env], [['add', '00:01:aa', 'fd00::5', 'h'], {...env, DNSMASQ_IAID: 'T12'}]] as const) {
      assert.equal((await runLeaseHook(world().deps, [...args], e)).push, 'pushed', JSON.stringify(args))
    }
  })

  test('one batch the peer refuses no longer poisons the queue: it is set aside with the reason, the rest and this change go', async () => {
    const w = world()
    // Queued by an older version, or damaged: the receiver refuses it (exit 2) whatever comes with it.
    w.deps.queue.add(`add ${theirs}`)
    w.deps.queue.add('add 1 not a lease line\n')
    w.deps.queue.add(`del ${theirs}`)
    const r = await runLeaseHook(w.deps, ['add', A, '192.168.1.150', 'a'], env)
    assert.equal(r.push, 'pushed')
    assert.equal(w.queue.size, 0, 'nothing left queued')
    assert.deepEqual([...w.setAside.keys()], ['00002'])
    assert.match(w.setAside.get('00002')!, /exit 2: leases receive: bad line "add 1 not a lease line"/)
    assert.deepEqual(w.peerReceived.join('').split('\n').filter(Boolean).map((l) => l.split(' ').slice(0, 4).join(' ')), [
      `add ${NOW_S + 900} ${B} 192.168.1.160`, `del ${NOW_S + 900} ${B} 192.168.1.160`, `add ${NOW_S + 900} ${A} 192.168.1.150`])
    // The next change goes straight through.
    assert.equal((await runLeaseHook(w.deps, ['del', A, '192.168.1.150', 'a'], env)).push, 'pushed')
    assert.equal(w.failureAt, 0)
  })

  test('sync: a refused batch is set aside and the sync says so; batches the peer cannot take yet stay pending', async () => {
    const w = world()
    w.files.set(LOCAL, mine)
    w.peerFile = ''
    w.deps.queue.add('add garbage\n')
    w.deps.queue.add(`add ${theirs}`)
    const r = await syncLeases(w.deps)
    assert.deepEqual([r.flushed, r.queue.pending, r.queue.setAside], [1, 0, 1])
    // Peer reachable for the file but refusing nothing, with the receiver failing for another reason: pending, not set aside.
    const v = world()
    v.peerFile = ''
    v.deps.queue.add(`add ${theirs}`)
    const run = v.deps.peer.run
    v.deps.peer.run = async (argv, opts) => (argv[0] === 'cat' ? run(argv, opts) : {code: 75, stdout: Buffer.alloc(0), stderr: 'leases lock busy'})
    const p = await syncLeases(v.deps)
    assert.deepEqual([p.flushed, p.queue.pending, p.queue.setAside], [0, 1, 0])
    assert.match(p.queue.error ?? '', /exit 75/)
    assert.equal(v.setAside.size, 0)
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
  const pull = (startDnsmasqAfterMs: number) => ({kind: 'leases.pull' as const, args: {allowRestart: true, startDnsmasqAfterMs}, why: '', critical: false})
  /** A promotion's pull against a peer that answers only once `open()` is called; `holdMs` pass before it returns. */
  const heldPull = async (w: World, waitMs: number, holdMs: number) => {
    let open!: () => void
    w.peerGate = new Promise<void>((resolve) => { open = resolve })
    const pulling = createLeaseExecutors(() => w.deps)['leases.pull'](pull(waitMs), {log: w.deps.log})
    await new Promise((resolve) => setTimeout(resolve, holdMs))
    return {pulling, open}
  }

  test('promotion: pull (file written while dnsmasq is stopped), then start; demotion: stop', async () => {
    const w = world()
    w.files.set(LOCAL, mine)
    w.peerFile = theirs
    const ex = createLeaseExecutors(() => w.deps)
    const stepDeps = {log: w.deps.log}
    const step = <K extends 'dnsmasq.start' | 'dnsmasq.stop'>(kind: K) => ({kind, args: {}, why: '', critical: false})
    assert.match(String((await ex['leases.pull'](pull(1000), stepDeps))?.detail), /^1 peer leases: 1 added, 0 updated \(file\)$/)
    assert.match(String((await ex['dnsmasq.start'](step('dnsmasq.start'), stepDeps))?.detail), /started/)
    assert.deepEqual(w.calls.filter((c) => !c.startsWith('ssh')), [`write ${LOCAL}`, 'start'])
    assert.equal(w.unlockedStarts, 0, 'dnsmasq starts under the leases lock')
    assert.match(String((await ex['dnsmasq.start'](step('dnsmasq.start'), stepDeps))?.detail), /already running/)
    assert.match(String((await ex['dnsmasq.stop'](step('dnsmasq.stop'), stepDeps))?.detail), /stopped pid 4242/)
    assert.match(String((await ex['dnsmasq.stop'](step('dnsmasq.stop'), stepDeps))?.detail), /not running/)
  })

  test('promotion, the peer slower than pull_wait_ms: dnsmasq starts (under the lock) before the peer answers, and the leases reach it over D-Bus after', async () => {
    const w = world({apply: 'auto'})
    w.files.set(LOCAL, mine)
    w.peerFile = theirs
    w.dbusPresent = true
    const {pulling, open} = await heldPull(w, 30, 80)
    assert.equal(w.running, true, 'dnsmasq runs while the peer has not answered')
    assert.equal(w.unlockedStarts, 0)
    open()
    const detail = String((await pulling)?.detail)
    assert.match(detail, /^1 peer leases: 1 added, 0 updated \(dbus\); dnsmasq started \(pid 4242\) after 30 ms without waiting for them$/)
    assert.deepEqual(w.calls.filter((c) => !c.startsWith('ssh')), ['start', 'dbus add 192.168.1.160'])
    assert.equal(w.files.get(LOCAL), mine, 'never written under the running dnsmasq')
  })

  test('promotion, a dead peer: dnsmasq starts after pull_wait_ms, the step fails naming the peer and the early start, the file is untouched', async () => {
    const w = world()
    w.files.set(LOCAL, mine)
    w.peerUp = false
    const {pulling, open} = await heldPull(w, 20, 60)
    assert.equal(w.running, true)
    open()
    await assert.rejects(pulling, (e: unknown) => e instanceof HaError && e.exit === 69 && /unreachable.*; dnsmasq started \(pid 4242\) after 20 ms without waiting for them$/.test(e.message))
    assert.equal(w.files.get(LOCAL), mine)
    assert.match(String((await createLeaseExecutors(() => w.deps)['dnsmasq.start']({kind: 'dnsmasq.start', args: {}, why: '', critical: false}, {log: w.deps.log}))?.detail), /already running/)
  })

  test('promotion: dnsmasq already running (active/active) is left alone, and the pull still waits for the peer', async () => {
    const w = world({apply: 'dbus'})
    w.running = true
    w.peerFile = theirs
    const {pulling, open} = await heldPull(w, 10, 40)
    open()
    assert.equal(String((await pulling)?.detail), '1 peer leases: 1 added, 0 updated (dbus)')
    assert.ok(!w.calls.includes('start'))
  })

  test('a leases lock that cannot be had does not keep DHCP down: dnsmasq starts anyway', async () => {
    const w = world()
    w.lockBusy = true
    const ex = createLeaseExecutors(() => w.deps)
    assert.match(String((await ex['dnsmasq.start']({kind: 'dnsmasq.start', args: {}, why: '', critical: false}, {log: w.deps.log}))?.detail), /^started \(pid 4242\)$/)
    assert.equal(w.running, true)
  })
})
