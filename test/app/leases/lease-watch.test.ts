// The daemon's lease-file watch against fakes: changes in the file become queued lines; nothing is
// queued before dnsmasq is seen running the shipped wrapper; the peer's own pushes are not sent
// back; a restart compares with the saved snapshot; a torn read is not used.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {startLeaseWatch} from '../../../src/app/leases/lease-watch.js'
import {recordReceived} from '../../../src/core/leases/echo.js'
import {NOW_S, world, type World} from './fakes.js'

const line = (i: number, exp = NOW_S + 3600) => `${exp} 52:54:00:00:01:${i.toString(16).padStart(2, '0')} 192.168.1.${100 + i} h${i} *`

type Fake = {content: string | undefined; version: number; seen: boolean; snapshot: string | undefined; pid: boolean; onChange?: () => void}

function fakes(w: World, f: Fake) {
  return {
    ...w.deps,
    file: {
      stat: () => (f.content === undefined ? undefined : `v${f.version}`),
      read: () => (f.content === undefined ? undefined : Buffer.from(f.content, 'latin1')),
      watch: (cb: () => void) => {
        f.onChange = cb
        return () => { f.onChange = undefined }
      },
    },
    store: {
      readSnapshot: () => (f.snapshot === undefined ? undefined : Buffer.from(f.snapshot, 'latin1')),
      writeSnapshot: (t: string) => { f.snapshot = t },
      wrapperSeen: () => f.seen,
      claim: () => { f.pid = true },
      release: () => { f.pid = false },
    },
  }
}

const write = (f: Fake, lines: string[]) => {
  f.content = lines.map((l) => `${l}\n`).join('')
  f.version++
  f.onChange?.()
}
const queued = (w: World) => [...w.queue.values()].join('').split('\n').filter(Boolean)
const opts = {quietMs: 1, confirmMs: 0, pollMs: 5}
/** The watch's poll is unref'd: keep the loop alive while it notices the wrapper's mark. */
const until = async (cond: () => boolean) => { for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5)) }

describe('lease file watch', () => {
  test('starts from the file as it is (sent once: a hook dnsmasq had not run yet would exit once the pid file is claimed), then queues each change; the pid file only after the first read', async () => {
    const w = world()
    const f: Fake = {content: `${line(1)}\n`, version: 1, seen: true, snapshot: undefined, pid: false}
    const watch = startLeaseWatch(fakes(w, f), opts)
    assert.equal(f.pid, false)
    await watch.ready
    assert.equal(f.pid, true)
    assert.deepEqual(queued(w), [`add ${line(1)}`], 'no snapshot: the file\'s leases go once')
    write(f, [line(1), line(2)])
    await watch.settle()
    write(f, [line(2, NOW_S + 7200)])
    await watch.settle()
    assert.deepEqual(queued(w), [`add ${line(1)}`, `add ${line(2)}`, `add ${line(2, NOW_S + 7200)}`, `del ${line(1)}`])
    assert.equal(f.snapshot, `${line(2, NOW_S + 7200)}\n`)
    await watch.stop()
    assert.equal(f.pid, false, 'released: the wrapper runs the hook again')
  })

  test('until dnsmasq is seen running the shipped wrapper nothing is queued and the pid file is not claimed; then the file\'s leases go once, and each change', async () => {
    const w = world()
    const f: Fake = {content: `${line(2)}\n`, version: 1, seen: false, snapshot: undefined, pid: false}
    const watch = startLeaseWatch(fakes(w, f), opts)
    await watch.settle()
    write(f, [line(2), line(1)])
    await watch.settle()
    assert.deepEqual(queued(w), [])
    assert.equal(f.pid, false, 'not claimed: every hook run pushes by itself')
    assert.equal(f.snapshot, undefined, 'no start taken yet')
    f.seen = true
    await until(() => f.pid)
    assert.equal(f.pid, true)
    assert.deepEqual(queued(w).sort(), [`add ${line(1)}`, `add ${line(2)}`])
    write(f, [line(1)])
    await watch.settle()
    assert.deepEqual(queued(w).slice(2), [`del ${line(2)}`])
    await watch.stop()
  })

  test('a lease in the file before the wrapper\'s first run (the daemon starting while dnsmasq grants it) is not lost: the run that leaves the mark finds no pid file and pushes it, and the watch sends it once too', async () => {
    const w = world()
    const f: Fake = {content: `${line(5)}\n`, version: 1, seen: false, snapshot: undefined, pid: false}
    const watch = startLeaseWatch(fakes(w, f), opts)
    await watch.settle()
    // dnsmasq now runs the wrapper for line(5): it leaves the mark, then reads the pid file.
    f.seen = true
    assert.equal(f.pid, false, 'the wrapper does not exit early: it runs the hook, which pushes the lease')
    await until(() => f.pid)
    assert.deepEqual(queued(w), [`add ${line(5)}`], 'and the watch sends it too (the peer merges it once)')
    await watch.stop()
  })

  test('an empty file before the mark is a safe start: the pid file is claimed, and the first lease goes once the wrapper\'s mark is seen', async () => {
    const w = world()
    const f: Fake = {content: '', version: 1, seen: false, snapshot: undefined, pid: false}
    const watch = startLeaseWatch(fakes(w, f), opts)
    await watch.ready
    assert.equal(f.pid, true)
    write(f, [line(7)])
    await watch.settle()
    assert.deepEqual(queued(w), [], 'not before the mark')
    f.seen = true
    await until(() => queued(w).length > 0)
    assert.deepEqual(queued(w), [`add ${line(7)}`])
    await watch.stop()
  })

  test('a restart compares the file with the saved snapshot: what changed while it was down goes', async () => {
    const w = world()
    const f: Fake = {content: `${line(1)}\n${line(2)}\n`, version: 1, seen: true, snapshot: `${line(1)}\n${line(3)}\n`, pid: false}
    const watch = startLeaseWatch(fakes(w, f), opts)
    await watch.ready
    assert.deepEqual(queued(w), [`add ${line(2)}`, `del ${line(3)}`])
    await watch.stop()
  })

  test('the peer\'s own push coming back through dnsmasq\'s file is not sent', async () => {
    const w = world()
    const f: Fake = {content: '', version: 1, seen: true, snapshot: '', pid: false}
    const watch = startLeaseWatch(fakes(w, f), opts)
    await watch.ready
    w.received = recordReceived(new Map(), [`add ${line(5)}`], NOW_S * 1000)
    write(f, [line(5), line(6)])
    await watch.settle()
    assert.deepEqual(queued(w), [`add ${line(6)}`])
    await watch.stop()
  })

  test('a read the file changed under, or one ending mid-line, is not used', async () => {
    const w = world()
    const f: Fake = {content: '', version: 1, seen: true, snapshot: '', pid: false}
    const d = fakes(w, f)
    let reads = 0
    const read = d.file.read
    // The first read sees dnsmasq mid-write (half a line), and the file changes right after it.
    d.file.read = () => {
      reads++
      if (reads === 1) {
        const torn = Buffer.from(`${line(1)}\n${line(2).slice(0, 20)}`, 'latin1')
        f.version++
        return torn
      }
      return read()
    }
    const watch = startLeaseWatch(d, opts)
    write(f, [line(1), line(2)])
    await watch.ready
    for (let i = 0; i < 100 && queued(w).length < 2; i++) await new Promise((r) => setTimeout(r, 5))
    assert.deepEqual(queued(w), [`add ${line(1)}`, `add ${line(2)}`])
    assert.ok(reads >= 2)
    await watch.stop()
  })

  test('no file at the start: what dnsmasq writes first is news', async () => {
    const w = world()
    const f: Fake = {content: undefined, version: 1, seen: true, snapshot: undefined, pid: false}
    const watch = startLeaseWatch(fakes(w, f), opts)
    await watch.ready
    assert.equal(f.pid, true)
    write(f, [line(1)])
    await watch.settle()
    assert.deepEqual(queued(w), [`add ${line(1)}`])
    await watch.stop()
  })

  test('no start to compare with (the file unreadable, no snapshot): the pid file waits, so the hook keeps running', async () => {
    const w = world()
    const f: Fake = {content: 'not a lease file\n', version: 1, seen: true, snapshot: undefined, pid: false}
    const watch = startLeaseWatch(fakes(w, f), opts)
    await watch.settle()
    assert.equal(f.pid, false)
    write(f, [line(1)])
    await watch.ready
    assert.equal(f.pid, true)
    assert.deepEqual(queued(w), [`add ${line(1)}`], 'the first readable file goes once (its last hook runs may exit at the pid file)')
    await watch.stop()
  })

  test('a full queue queues nothing and asks for a full sync', async () => {
    const w = world({queue_max: 1})
    w.queue.set('x', 'add old\n')
    const f: Fake = {content: '', version: 1, seen: true, snapshot: '', pid: false}
    const watch = startLeaseWatch(fakes(w, f), opts)
    await watch.ready
    write(f, [line(1)])
    await watch.settle()
    assert.equal(w.queue.size, 1)
    assert.equal(w.overflow, true)
    await watch.stop()
  })
})


