import assert from 'node:assert/strict'
import {readdirSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, it} from 'node:test'
import {withConfigCache} from '../../../src/adapters/config-cache.js'
import {withTempDir} from '../../support/spawn.js'

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
      assert.deepEqual(withConfigCache(file, load, cache), {table: 1})
      assert.deepEqual(withConfigCache(file, load, cache), {table: 1})
      assert.equal(loads, 1)
      const before = new Date('2026-01-01T00:00:00Z')
      utimesSync(file, before, before)
      withConfigCache(file, load, cache)
      writeFileSync(file, 'table = 251\n')
      utimesSync(file, before, before) // an editor that restores the mtime still changes the ctime
      assert.deepEqual(withConfigCache(file, load, cache), {table: 3})
      assert.equal(loads, 3)
    })
  })

  it('never caches a config that fails to load', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'c.toml')
      writeFileSync(file, 'bad\n')
      let loads = 0
      const load = () => { loads++; throw new Error('bad config') }
      assert.throws(() => withConfigCache(file, load, join(dir, 'cache')), /bad config/)
      assert.throws(() => withConfigCache(file, load, join(dir, 'cache')), /bad config/)
      assert.equal(loads, 2)
    })
  })

  it('ignores a corrupt cache file and a missing config file goes to the real load', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'c.toml')
      const cache = join(dir, 'cache')
      writeFileSync(file, 'x\n')
      withConfigCache(file, () => 1, cache)
      const [entry] = readdirSync(cache)
      writeFileSync(join(cache, entry), '{not json')
      assert.equal(withConfigCache(file, () => 2, cache), 2)
      assert.throws(() => withConfigCache(join(dir, 'missing.toml'), () => { throw new Error('no such config file') }, cache), /no such config file/)
    })
  })

  it('is off outside the hot bundles', async () => {
    delete g.__HA_TOOL_BUILD__
    await withTempDir(async (dir) => {
      const file = join(dir, 'c.toml')
      writeFileSync(file, 'x\n')
      let loads = 0
      withConfigCache(file, () => ++loads, join(dir, 'cache'))
      withConfigCache(file, () => ++loads, join(dir, 'cache'))
      assert.equal(loads, 2)
    })
  })
})
