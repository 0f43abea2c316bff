import assert from 'node:assert/strict'
import {chmodSync, chownSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, it} from 'node:test'
import {withConfigCache} from '../../../src/adapters/config-cache.js'
import {loadConfig} from '../../../src/config/load.js'
import {isLoadedConfig} from '../../../src/config/shape.js'
import {withTempDir} from '../../support/spawn.js'

/** Accepts any cached value (the shape check is tested in the hardening cases below). */
const anyValue = <T>(v: unknown): v is T => v !== undefined

// The cache is on only in the hot bundles, where the build defines __HA_TOOL_BUILD__.
const g = globalThis as {__HA_TOOL_BUILD__?: string}

describe('config cache', () => {
  beforeEach(() => { g.__HA_TOOL_BUILD__ = 'test-build' })
  afterEach(() => { delete g.__HA_TOOL_BUILD__ })

  it('loads once while the file is unchanged, again after any write (same size, same mtime)', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'c.toml')
      const cache = join(dir, 'cache')
      writeFileSync(file, 'table = 250\n')
      let loads = 0
      const load = () => { loads++; return {table: loads} }
      assert.deepEqual(withConfigCache(file, load, anyValue, cache), {table: 1})
      assert.deepEqual(withConfigCache(file, load, anyValue, cache), {table: 1})
      assert.equal(loads, 1)
      const before = new Date('2026-01-01T00:00:00Z')
      utimesSync(file, before, before)
      withConfigCache(file, load, anyValue, cache)
      writeFileSync(file, 'table = 251\n')
      utimesSync(file, before, before) // an editor that restores the mtime still changes the ctime
      assert.deepEqual(withConfigCache(file, load, anyValue, cache), {table: 3})
      assert.equal(loads, 3)
    })
  })

  it('never caches a config that fails to load', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'c.toml')
      writeFileSync(file, 'bad\n')
      let loads = 0
      const load = () => { loads++; throw new Error('bad config') }
      assert.throws(() => withConfigCache(file, load, anyValue, join(dir, 'cache')), /bad config/)
      assert.throws(() => withConfigCache(file, load, anyValue, join(dir, 'cache')), /bad config/)
      assert.equal(loads, 2)
    })
  })

  it('ignores a corrupt cache file and a missing config file goes to the real load', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'c.toml')
      const cache = join(dir, 'cache')
      writeFileSync(file, 'x\n')
      withConfigCache(file, () => 1, anyValue, cache)
      const [entry] = readdirSync(cache)
      writeFileSync(join(cache, entry), '{not json')
      assert.equal(withConfigCache(file, () => 2, anyValue, cache), 2)
      assert.throws(() => withConfigCache(join(dir, 'missing.toml'), () => { throw new Error('no such config file') }, anyValue, cache), /no such config file/)
    })
  })

  it('is off outside the hot bundles', async () => {
    delete g.__HA_TOOL_BUILD__
    await withTempDir(async (dir) => {
      const file = join(dir, 'c.toml')
      writeFileSync(file, 'x\n')
      let loads = 0
      withConfigCache(file, () => ++loads, anyValue, join(dir, 'cache'))
      withConfigCache(file, () => ++loads, anyValue, join(dir, 'cache'))
      assert.equal(loads, 2)
    })
  })

  // Issue 15: a local user must not be able to plant what root then obeys.
  const planted = (dir: string) => {
    const file = join(dir, 'c.toml')
    const cache = join(dir, 'cache')
    writeFileSync(file, 'x\n')
    withConfigCache(file, () => ({v: 'real'}), anyValue, cache)
    const [entry] = readdirSync(cache)
    return {file, cache, entry: join(cache, entry)}
  }
  const reads = (file: string, cache: string) => withConfigCache<{v: string}>(file, () => ({v: 'loaded'}), anyValue, cache).v

  it('creates its directory 0700 and its file 0600 even under a permissive umask', async () => {
    await withTempDir(async (dir) => {
      const old = process.umask(0)
      try { planted(dir) } finally { process.umask(old) }
      assert.equal(statSync(join(dir, 'cache')).mode & 0o777, 0o700)
      assert.equal(statSync(join(join(dir, 'cache'), readdirSync(join(dir, 'cache'))[0])).mode & 0o777, 0o600)
    })
  })

  it('a cache file not ours, or readable/writable by others, or a symlink, is a miss', async () => {
    for (const spoil of [
      (e: string) => chownSync(e, 65534, 65534),
      (e: string) => chmodSync(e, 0o644),
      (e: string) => chmodSync(e, 0o660),
      (e: string) => { const real = `${e}.real`; renameSync(e, real); symlinkSync(real, e) },
    ]) {
      await withTempDir(async (dir) => {
        const {file, cache, entry} = planted(dir)
        assert.equal(reads(file, cache), 'real', 'the untouched entry is a hit')
        spoil(entry)
        assert.equal(reads(file, cache), 'loaded')
      })
    }
  })

  it('a cache directory that is group/other-writable, not ours, or a symlink is a miss, and nothing is written into it', async () => {
    for (const spoil of [
      (c: string) => chmodSync(c, 0o777),
      (c: string) => chmodSync(c, 0o1733),
      (c: string) => chownSync(c, 65534, 65534),
      (c: string) => { renameSync(c, `${c}.real`); symlinkSync(`${c}.real`, c) },
    ]) {
      await withTempDir(async (dir) => {
        const {file, cache} = planted(dir)
        spoil(cache)
        assert.equal(reads(file, cache), 'loaded')
        assert.equal(reads(file, cache), 'loaded', 'still a miss: nothing was cached there')
      })
    }
  })

  it('a cached value of the wrong shape is a miss, not a TypeError', async () => {
    await withTempDir(async (dir) => {
      const {file, cache, entry} = planted(dir)
      const key = (JSON.parse(readFileSync(entry, 'utf8')) as {key: string}).key
      const shaped = (v: unknown): v is {v: string} => typeof v === 'object' && v !== null && typeof (v as {v?: unknown}).v === 'string'
      for (const value of [null, 1, 'x', [], {v: 1}, {}]) {
        writeFileSync(entry, JSON.stringify({key, value}))
        assert.equal(withConfigCache(file, () => ({v: 'loaded'}), shaped, cache).v, 'loaded', JSON.stringify(value))
      }
      for (const text of ['null', '1', '"x"', '[]']) {
        writeFileSync(entry, text)
        assert.equal(withConfigCache(file, () => ({v: 'loaded'}), shaped, cache).v, 'loaded', text)
      }
    })
  })

  it('isLoadedConfig accepts what loadConfig returns and refuses a planted command or a missing key', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'c.toml')
      writeFileSync(file, '[wan]\ninterface = "ens7"\n')
      const loaded = loadConfig(file)
      const ok = isLoadedConfig(file)
      assert.equal(ok(JSON.parse(JSON.stringify(loaded))), true)
      assert.equal(ok({...loaded, path: '/other'}), false)
      const bad = JSON.parse(JSON.stringify(loaded)) as {config: {wan: Record<string, unknown>; state: Record<string, unknown>}}
      bad.config.wan.table = 'x'
      assert.equal(ok(bad), false)
      const missing = JSON.parse(JSON.stringify(loaded)) as {config: {state: Record<string, unknown>}}
      delete missing.config.state.dir
      assert.equal(ok(missing), false)
    })
  })
})
