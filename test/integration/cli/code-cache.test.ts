// bin/run.js loads the hot bundles through a V8 code cache it writes after the first run. What a
// user relies on: the cache is written once and then used as it is, the output is the same with
// and without it, and a cache that is corrupt, writable by others or not ours is never used
// (it is bytecode that runs as root): it is replaced. Checked on `leases merge` (no network).
import assert from 'node:assert/strict'
import {chmodSync, chownSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {cleanEnv, ensureBuilt, ROOT, runCli, withTempDir} from '../../support/spawn.js'

const BUNDLE = join(ROOT, 'dist/hot/leases.cjs')
const LEASES = '0 52:54:00:00:00:01 192.168.1.50 host1 *\n0 52:54:00:00:00:02 192.168.1.51 host2 01:52:54:00:00:00:02\n'

async function withCache(fn: (t: {dir: string; merge(env?: NodeJS.ProcessEnv): Promise<string>; caches(): string[]}) => Promise<void>) {
  ensureBuilt()
  await withTempDir(async (dir) => {
    const file = join(dir, 'a.leases')
    writeFileSync(file, LEASES)
    const cacheDir = join(dir, 'cache')
    const merge = async (env: NodeJS.ProcessEnv = {}) => {
      const r = await runCli(['leases', 'merge', file], {env: cleanEnv({HA_TOOL_CACHE_DIR: cacheDir, ...env})})
      assert.equal(r.code, 0, r.stderr)
      return r.stdout
    }
    const caches = () => {
      try { return readdirSync(cacheDir).filter((f) => f.endsWith('.v8')).map((f) => join(cacheDir, f)) } catch { return [] }
    }
    await fn({dir, merge, caches})
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
    await withCache(async ({merge, caches}) => {
      const first = await merge()
      const [old] = caches()
      const st = statSync(BUNDLE)
      // A new mtime (and ctime) is what an upgrade or a rebuild looks like to the cache.
      utimesSync(BUNDLE, st.atime, new Date(st.mtimeMs + 1000))
      try {
        assert.equal(await merge(), first)
        const now = caches()
        assert.equal(now.length, 1, `one cache, got ${now.join(', ')}`)
        assert.notEqual(now[0], old)
      } finally {
        utimesSync(BUNDLE, st.atime, st.mtime)
      }
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
})
