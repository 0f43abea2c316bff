// bin/run.js loads the hot bundles through a V8 code cache: one made when the program was installed
// (scripts/train-code-cache.mjs, beside the bundle), else one it writes to the cache directory after
// the first run. What a user relies on: a cache is written once and then used as it is, the output
// is the same with and without it, the installed cache spares the first run after a boot the compile
// (and the write), and a cache that is corrupt, writable by others or not ours is never used (it is
// bytecode that runs as root). Checked on `leases merge` (no network), on a copy of the program so
// that a cache left in this checkout's dist/hot (by the start-up bench) changes nothing.
import assert from 'node:assert/strict'
import {chmodSync, chownSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {spawnSync} from 'node:child_process'
import {cleanEnv, ensureBuilt, ROOT, run, withTempDir} from '../../support/spawn.js'

const LEASES = '0 52:54:00:00:00:01 192.168.1.50 host1 *\n0 52:54:00:00:00:02 192.168.1.51 host2 01:52:54:00:00:00:02\n'

type Fixture = {dir: string; bundle: string; hot: string; merge(env?: NodeJS.ProcessEnv): Promise<string>; caches(): string[]; shipped(): string[]; train(): void}

async function withCache(fn: (t: Fixture) => Promise<void>) {
  ensureBuilt()
  await withTempDir(async (dir) => {
    // The program as scripts/install lays it down: bin/, the hot bundles, node_modules.
    const prog = join(dir, 'prog')
    const hot = join(prog, 'dist/hot')
    mkdirSync(hot, {recursive: true})
    cpSync(join(ROOT, 'bin'), join(prog, 'bin'), {recursive: true})
    for (const f of readdirSync(join(ROOT, 'dist/hot'))) if (f.endsWith('.cjs')) cpSync(join(ROOT, 'dist/hot', f), join(hot, f))
    symlinkSync(join(ROOT, 'node_modules'), join(prog, 'node_modules'))
    const file = join(dir, 'a.leases')
    writeFileSync(file, LEASES)
    const cacheDir = join(dir, 'cache')
    const merge = async (env: NodeJS.ProcessEnv = {}) => {
      const r = await run([process.execPath, join(prog, 'bin/run.js'), 'leases', 'merge', file], {env: cleanEnv({HA_TOOL_CACHE_DIR: cacheDir, ...env})})
      assert.equal(r.code, 0, r.stderr)
      return r.stdout
    }
    const v8In = (d: string) => { try { return readdirSync(d).filter((f) => f.endsWith('.v8')).map((f) => join(d, f)) } catch { return [] } }
    const train = () => {
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts/train-code-cache.mjs'), prog], {encoding: 'utf8', env: cleanEnv()})
      assert.equal(r.status, 0, r.stderr)
    }
    await fn({dir, bundle: join(hot, 'leases.cjs'), hot, merge, caches: () => v8In(cacheDir), shipped: () => v8In(hot).filter((f) => f.includes('/leases.')), train})
  })
}

const identity = (f: string) => { const s = statSync(f, {bigint: true}); return `${s.ino}:${s.mtimeNs}:${s.uid}:${s.mode & 0o777n}` }

describe('code cache of the hot bundles', () => {
  it('the first run writes it (0600, ours), later runs use it as it is, with the same output', async () => {
    await withCache(async ({merge, caches}) => {
      const first = await merge()
      assert.match(first, /192\.168\.1\.50/)
      const [cache] = caches()
      assert.ok(cache, 'a cache after the first run')
      assert.deepEqual(caches(), [cache])
      const st = statSync(cache)
      assert.equal(st.mode & 0o777, 0o600)
      assert.equal(st.uid, process.getuid!())
      const before = identity(cache)
      assert.equal(await merge(), first)
      assert.equal(await merge(), first)
      // Rewritten only when V8 rejects it: an unchanged file means it was accepted.
      assert.equal(identity(cache), before)
    })
  })

  it('a corrupt cache is rejected by V8 and replaced; the output is unchanged', async () => {
    await withCache(async ({merge, caches}) => {
      const first = await merge()
      const [cache] = caches()
      const garbage = Buffer.alloc(statSync(cache).size, 0x5a)
      writeFileSync(cache, garbage)
      assert.equal(await merge(), first)
      assert.notDeepEqual(readFileSync(cache), garbage)
    })
  })

  it('a cache that others can write, or that another user owns, is not used: it is replaced', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to chown the cache file')
    await withCache(async ({merge, caches}) => {
      const first = await merge()
      const [cache] = caches()
      chmodSync(cache, 0o666)
      assert.equal(await merge(), first)
      assert.equal(statSync(cache).mode & 0o777, 0o600, 'replaced by a 0600 file')
      chownSync(cache, 65534, 65534)
      assert.equal(await merge(), first)
      assert.equal(statSync(cache).uid, 0, 'replaced by a file of ours')
    })
  })

  it('a new build of the bundle gets a new cache, and the old one is removed', async () => {
    await withCache(async ({bundle, merge, caches}) => {
      const first = await merge()
      const [old] = caches()
      const st = statSync(bundle)
      // A new mtime (and ctime) is what an upgrade or a rebuild looks like to the cache.
      utimesSync(bundle, st.atime, new Date(st.mtimeMs + 1000))
      assert.equal(await merge(), first)
      const now = caches()
      assert.equal(now.length, 1, `one cache, got ${now.join(', ')}`)
      assert.notEqual(now[0], old)
    })
  })

  it('HA_TOOL_CODE_CACHE=0 neither reads nor writes one', async () => {
    await withCache(async ({merge, caches}) => {
      const first = await merge({HA_TOOL_CODE_CACHE: '0'})
      assert.deepEqual(caches(), [])
      assert.equal(await merge(), first)
      assert.equal(caches().length, 1)
    })
  })

  it('the cache made at install is used by the first run: nothing to compile, nothing written, the same output', async () => {
    await withCache(async ({merge, caches, shipped, train}) => {
      const plain = await merge({HA_TOOL_CODE_CACHE: '0'})
      train()
      const [made] = shipped()
      assert.ok(made, 'scripts/train-code-cache.mjs made a cache beside leases.cjs')
      const before = identity(made)
      assert.equal(await merge(), plain)
      assert.deepEqual(caches(), [], 'V8 took the installed cache: no cache of its own in the cache directory')
      assert.equal(await merge(), plain)
      assert.equal(identity(made), before, 'the installed cache is only read')
    })
  })

  it('an installed cache V8 rejects (corrupt, or from another node) means a cache of its own, as without one', async () => {
    await withCache(async ({merge, caches, shipped, train}) => {
      train()
      const [made] = shipped()
      writeFileSync(made, Buffer.alloc(statSync(made).size, 0x5a))
      const out = await merge()
      assert.match(out, /192\.168\.1\.50/)
      assert.equal(caches().length, 1)
    })
  })

  it('an installed cache that others can write, that another user owns, or in a directory others can write, is not used', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to chown the cache file')
    for (const spoil of ['file 0666', 'file not ours', 'directory 0777'] as const) {
      await withCache(async ({hot, merge, caches, shipped, train}) => {
        train()
        const [made] = shipped()
        if (spoil === 'file 0666') chmodSync(made, 0o666)
        else if (spoil === 'file not ours') chownSync(made, 65534, 65534)
        else chmodSync(hot, 0o777)
        await merge()
        assert.equal(caches().length, 1, `${spoil}: not used, so the run wrote a cache of its own`)
      })
    }
  })

  it('a rebuilt bundle does not take the cache made for the one before', async () => {
    await withCache(async ({bundle, merge, caches, train}) => {
      train()
      const st = statSync(bundle)
      utimesSync(bundle, st.atime, new Date(st.mtimeMs + 1000))
      await merge()
      assert.equal(caches().length, 1, 'no installed cache for this build: a cache of its own')
    })
  })
})
