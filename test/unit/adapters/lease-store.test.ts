// The lease file and the push queue's back-off marker on a real file system: owner and mode are
// set on the temp file's descriptor before the rename (never by path), and neither the lease file
// nor the marker is written through a symlink planted at its path.
import assert from 'node:assert/strict'
import fs, {chownSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {syncBuiltinESMExports} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, test} from 'node:test'
import {createLeaseQueue, writeLeaseBytes} from '../../../src/adapters/lease-store.js'

const root = process.getuid?.() === 0
const dir = mkdtempSync(join(tmpdir(), 'ha-tool-lease-store-'))
after(() => rmSync(dir, {recursive: true, force: true}))

/** Runs fn with fs.renameSync and the by-path chown calls watched. */
function watched<T>(fn: () => T): {value: T; renames: Array<{from: string; uid: number; gid: number; mode: number}>; byPath: string[]} {
  const saved = {renameSync: fs.renameSync, chownSync: fs.chownSync, lchownSync: fs.lchownSync, chmodSync: fs.chmodSync}
  const renames: Array<{from: string; uid: number; gid: number; mode: number}> = []
  const byPath: string[] = []
  fs.renameSync = ((from: string, to: string) => {
    const st = lstatSync(from)
    renames.push({from, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777})
    return saved.renameSync(from, to)
  }) as typeof fs.renameSync
  fs.chownSync = ((p: string, u: number, g: number) => { byPath.push(`chown ${p}`); return saved.chownSync(p, u, g) }) as typeof fs.chownSync
  fs.lchownSync = ((p: string, u: number, g: number) => { byPath.push(`lchown ${p}`); return saved.lchownSync(p, u, g) }) as typeof fs.lchownSync
  fs.chmodSync = ((p: string, m: number) => { byPath.push(`chmod ${p}`); return saved.chmodSync(p, m) }) as typeof fs.chmodSync
  syncBuiltinESMExports()
  try {
    return {value: fn(), renames, byPath}
  } finally {
    Object.assign(fs, saved)
    syncBuiltinESMExports()
  }
}

describe('writeLeaseBytes', () => {
  test('keeps the file\'s owner and mode, set on the temp file before the rename, never by path', {skip: root ? undefined : 'needs root to chown'}, () => {
    for (const [uid, gid, mode] of [[4321, 4322, 0o640], [0, 4323, 0o604], [65534, 65534, 0o600]] as const) {
      const path = join(dir, `dnsmasq-${uid}.leases`)
      writeFileSync(path, 'old\n')
      chownSync(path, uid, gid)
      fs.chmodSync(path, mode)
      const w = watched(() => writeLeaseBytes(path, Buffer.from('1 52:54:00:00:00:01 10.0.0.1 * *\n')))
      assert.deepEqual(w.byPath, [], 'no chown or chmod by path')
      assert.equal(w.renames.length, 1)
      assert.deepEqual({uid: w.renames[0].uid, gid: w.renames[0].gid, mode: w.renames[0].mode}, {uid, gid, mode}, 'owner and mode already on the temp file when it is renamed')
      const st = lstatSync(path)
      assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [uid, gid, mode])
      assert.equal(readFileSync(path, 'latin1'), '1 52:54:00:00:00:01 10.0.0.1 * *\n')
    }
  })

  test('a symlink at the lease file\'s path is replaced by a plain 0644 file; its target keeps its bytes, owner and mode', () => {
    const target = join(dir, 'shadow')
    writeFileSync(target, 'secret\n', {mode: 0o600})
    if (root) chownSync(target, 4321, 4321)
    const path = join(dir, 'linked.leases')
    symlinkSync(target, path)
    writeLeaseBytes(path, Buffer.from('1 52:54:00:00:00:01 10.0.0.1 * *\n'))
    const st = lstatSync(path)
    assert.ok(st.isFile())
    assert.equal(st.mode & 0o7777, 0o644)
    assert.equal(st.uid, process.getuid?.())
    assert.equal(readFileSync(target, 'utf8'), 'secret\n')
    const t = lstatSync(target)
    assert.equal(t.mode & 0o7777, 0o600)
    if (root) assert.deepEqual([t.uid, t.gid], [4321, 4321])
  })
})

describe('the push queue\'s back-off marker', () => {
  test('is never written or read through a symlink', () => {
    const q = join(dir, 'queue')
    fs.mkdirSync(q)
    const target = join(dir, 'victim')
    writeFileSync(target, '12345\n', {mode: 0o644})
    symlinkSync(target, join(q, 'peer-down'))
    const queue = createLeaseQueue(q)
    assert.equal(queue.lastFailure(), 0, 'a symlink is not read through')
    queue.markFailure(1_700_000_000_000)
    assert.equal(readFileSync(target, 'utf8'), '12345\n', 'the symlink\'s target is untouched')
    assert.ok(lstatSync(join(q, 'peer-down')).isFile())
    assert.equal(lstatSync(join(q, 'peer-down')).mode & 0o777, 0o600)
    assert.equal(queue.lastFailure(), 1_700_000_000_000)
    queue.clearFailure()
    assert.equal(queue.lastFailure(), 0)
  })

  test('batches: added, listed oldest first, set aside with the reason, counted', () => {
    const q = join(dir, 'queue2')
    const queue = createLeaseQueue(q)
    const a = queue.add('add one\n')
    const b = queue.add('add two\n')
    assert.deepEqual(queue.list().map((i) => i.text), ['add one\n', 'add two\n'])
    queue.setAside(a, 'peer refused: exit 2')
    assert.deepEqual(queue.list().map((i) => i.id), [b])
    assert.deepEqual(queue.setAsideList(), [{id: a, reason: 'peer refused: exit 2'}])
    const s = queue.state()
    assert.deepEqual([s.pending, s.setAside], [1, 1])
    assert.ok(s.oldestAt !== undefined && Math.abs(s.oldestAt - Date.now()) < 60_000)
  })
})
