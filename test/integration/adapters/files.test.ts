// The atomic writer against the real kernel: a process killed between write and rename, a full
// filesystem and a read-only one (tmpfs mounts in a private mount namespace) all leave the old file.
import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {writeFileAtomic} from '../../../src/adapters/files.js'
import {hasProgram, ROOT, run, runTs, withTempDir} from '../../support/spawn.js'

const FILES_TS = join(ROOT, 'src/adapters/files.ts')
const mode = (path: string) => statSync(path).mode & 0o777

describe('writeFileAtomic: a crash between write and rename', () => {
  test('SIGKILL after the temp file is durable and before rename: the old file is intact', async () => {
    await withTempDir(async (dir) => {
      const target = join(dir, 'state.json')
      writeFileSync(target, 'old content\n')
      const code = `
        import {writeFileAtomic} from ${JSON.stringify(FILES_TS)}
        writeFileAtomic(${JSON.stringify(target)}, 'new content that never lands\\n', {
          beforeRename: (temp) => { process.stdout.write(temp + '\\n'); process.kill(process.pid, 'SIGKILL') },
        })
        process.stdout.write('survived\\n')`
      const r = await runTs(code)
      assert.equal(r.signal, 'SIGKILL', `the child died by SIGKILL (stderr: ${r.stderr})`)
      assert.doesNotMatch(r.stdout, /survived/)
      const temp = r.stdout.trim()
      assert.equal(readFileSync(target, 'utf8'), 'old content\n')
      // What the crash leaves: the old file, and the complete temp file beside it (same directory).
      assert.deepEqual(readdirSync(dir).sort(), ['.state.json.' + temp.split('/.state.json.')[1], 'state.json'].sort())
      assert.equal(readFileSync(temp, 'utf8'), 'new content that never lands\n')
    })
  })

  test('without the crash the same call replaces the file (the seam is not what keeps it intact)', async () => {
    await withTempDir(async (dir) => {
      const target = join(dir, 'state.json')
      writeFileSync(target, 'old content\n')
      const r = await runTs(`
        import {writeFileAtomic} from ${JSON.stringify(FILES_TS)}
        writeFileAtomic(${JSON.stringify(target)}, 'new content\\n', {beforeRename: () => {}})`)
      assert.equal(r.code, 0, r.stderr)
      assert.equal(readFileSync(target, 'utf8'), 'new content\n')
      assert.deepEqual(readdirSync(dir), ['state.json'])
    })
  })
})

describe('writeFileAtomic: failures leave the old file and no temp file', () => {
  test('an error before the rename (thrown, not a crash)', async () => {
    await withTempDir((dir) => {
      const target = join(dir, 'f')
      writeFileSync(target, 'old')
      assert.throws(() => writeFileAtomic(target, 'new', {beforeRename: () => { throw new Error('boom') }}), /boom/)
      assert.equal(readFileSync(target, 'utf8'), 'old')
      assert.deepEqual(readdirSync(dir), ['f'])
    })
  })

  test('the rename itself fails (the target is a directory)', async () => {
    await withTempDir((dir) => {
      const target = join(dir, 'd')
      mkdirSync(target)
      writeFileSync(join(target, 'keep'), 'x')
      assert.throws(() => writeFileAtomic(target, 'new'), (e: NodeJS.ErrnoException) => e.code === 'EISDIR')
      assert.deepEqual(readdirSync(dir), ['d'])
      assert.deepEqual(readdirSync(target), ['keep'])
    })
  })

  test('a missing directory: ENOENT and nothing created, unless mkdir is asked for', async () => {
    await withTempDir((dir) => {
      const target = join(dir, 'a/b/f')
      assert.throws(() => writeFileAtomic(target, 'x'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT')
      assert.deepEqual(readdirSync(dir), [])
      writeFileAtomic(target, 'x', {mkdir: true})
      assert.equal(readFileSync(target, 'utf8'), 'x')
    })
  })

  test('ENOSPC on a full tmpfs and EROFS on a read-only one (private mount namespace)', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to mount a tmpfs in a private mount namespace')
    if (!hasProgram('unshare') || !hasProgram('mount')) return t.skip('unshare/mount (util-linux) missing: cannot make a tiny tmpfs')
    await withTempDir(async (dir) => {
      const code = `
        import {execFileSync} from 'node:child_process'
        import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
        import {writeFileAtomic} from ${JSON.stringify(FILES_TS)}
        const dir = ${JSON.stringify(dir)}
        const target = dir + '/leases'
        const attempt = (data) => {
          try { writeFileAtomic(target, data); return 'no error' } catch (e) { return e.code }
        }
        writeFileSync(target, 'old leases\\n')
        const full = attempt(Buffer.alloc(1024 * 1024, 97))
        const afterFull = {content: readFileSync(target, 'utf8'), files: readdirSync(dir)}
        execFileSync('mount', ['-o', 'remount,ro', dir])
        const ro = attempt('new leases\\n')
        const afterRo = {content: readFileSync(target, 'utf8'), files: readdirSync(dir)}
        console.log(JSON.stringify({full, afterFull, ro, afterRo}))`
      const r = await run(['unshare', '-m', '--propagation', 'private', 'sh', '-c',
        'mount -t tmpfs -o size=64k,mode=0755 hat-h2-test "$1" && exec "$2" --import tsx --input-type=module -e "$3"',
        'sh', dir, process.execPath, code])
      assert.equal(r.code, 0, r.stderr)
      const out = JSON.parse(r.stdout)
      assert.deepEqual(out, {
        full: 'ENOSPC',
        afterFull: {content: 'old leases\n', files: ['leases']},
        ro: 'EROFS',
        afterRo: {content: 'old leases\n', files: ['leases']},
      })
      // The tmpfs lived only in the child's namespace: here the directory is still the empty one.
      assert.deepEqual(readdirSync(dir), [])
    })
  })
})

describe('writeFileAtomic: content and mode', () => {
  test('the mode asked for, exactly, whatever the umask; the default is 0644', async () => {
    await withTempDir((dir) => {
      const old = process.umask(0o077)
      try {
        writeFileAtomic(join(dir, 'a'), 'x')
        writeFileAtomic(join(dir, 'b'), 'x', {mode: 0o600})
        writeFileAtomic(join(dir, 'c'), 'x', {mode: 0o640})
        writeFileAtomic(join(dir, 'd'), 'x', {mode: 0o755})
      } finally {
        process.umask(old)
      }
      assert.equal(mode(join(dir, 'a')).toString(8), '644')
      assert.equal(mode(join(dir, 'b')).toString(8), '600')
      assert.equal(mode(join(dir, 'c')).toString(8), '640')
      assert.equal(mode(join(dir, 'd')).toString(8), '755')
    })
  })

  test('replacing a file gives it the new mode (a 0600 file becomes the default 0644)', async () => {
    await withTempDir((dir) => {
      const f = join(dir, 'f')
      writeFileSync(f, 'old')
      chmodSync(f, 0o600)
      writeFileAtomic(f, 'new')
      assert.equal(mode(f).toString(8), '644')
      assert.equal(readFileSync(f, 'utf8'), 'new')
    })
  })

  test('bytes, empty and multi-megabyte content are written exactly', async () => {
    await withTempDir((dir) => {
      const bytes = Uint8Array.from({length: 256}, (_, i) => i)
      writeFileAtomic(join(dir, 'bin'), bytes)
      assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'bin'))), bytes)
      writeFileAtomic(join(dir, 'empty'), '')
      assert.equal(readFileSync(join(dir, 'empty'), 'utf8'), '')
      const big = 'lease line\n'.repeat(500_000)
      writeFileAtomic(join(dir, 'big'), big)
      assert.equal(readFileSync(join(dir, 'big'), 'utf8'), big)
      assert.deepEqual(readdirSync(dir).sort(), ['big', 'bin', 'empty'])
    })
  })

  test('a relative path with no directory part: the temp file is .NAME.*.tmp in the cwd', async () => {
    await withTempDir(async (dir) => {
      const r = await runTs(`
        import {writeFileAtomic} from ${JSON.stringify(FILES_TS)}
        process.chdir(${JSON.stringify(dir)})
        writeFileAtomic('x.txt', 'hi', {beforeRename: (t) => console.log(t)})`)
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout.trim(), /^\.\/\.x\.txt\.[^/]+\.tmp$/)
      assert.equal(readFileSync(join(dir, 'x.txt'), 'utf8'), 'hi')
    })
  })
})

// keepalived runs its scripts under umask 0177: mkdir's mode alone would leave drw-------.
describe('directories made under keepalived\'s umask 0177', () => {
  test('writeFileAtomic with mkdir, the networkd drop-in and ensureDir give the modes asked for, to every new level', async () => {
    await withTempDir(async (dir) => {
      const {writeActivationDropin} = await import('../../../src/adapters/networkd-dropin.js')
      const {ensureDir} = await import('../../../src/adapters/files.js')
      const old = process.umask(0o177)
      try {
        writeFileAtomic(join(dir, 'state/a/b/state.json'), '{}', {mkdir: true})
        writeActivationDropin(join(dir, 'run/systemd/network'), '10-wan.network', 'down')
        ensureDir(join(dir, 'cache/x'), 0o700)
        mkdirSync(join(dir, 'kept'), {mode: 0o711})
        ensureDir(join(dir, 'kept'), 0o755)
      } finally {
        process.umask(old)
      }
      for (const d of ['state', 'state/a', 'state/a/b', 'run', 'run/systemd', 'run/systemd/network', 'run/systemd/network/10-wan.network.d']) assert.equal(mode(join(dir, d)), 0o755, d)
      assert.equal(mode(join(dir, 'run/systemd/network/10-wan.network.d/ha-tool.conf')), 0o644)
      assert.equal(mode(join(dir, 'cache')), 0o700)
      assert.equal(mode(join(dir, 'cache/x')), 0o700)
      assert.equal(mode(join(dir, 'kept')), 0o600 & 0o711, 'a directory that was there already is left as it is')
    })
  })
})
