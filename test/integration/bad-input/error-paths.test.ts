// Errors name their path: a state.json that is a directory made notify say only "EISDIR".
import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {cleanEnv, ensureBuilt, hasProgram, runCli, withTempDir} from '../../support/spawn.js'

test('state.json a directory: notify fails with one line naming it', async (t) => {
  if (process.getuid?.() !== 0 || !hasProgram('unshare')) return t.skip('needs root and unshare for a throwaway network namespace')
  ensureBuilt()
  await withTempDir(async (dir) => {
    const state = join(dir, 'state')
    mkdirSync(join(state, 'state.json'), {recursive: true})
    const config = join(dir, 'c.toml')
    writeFileSync(config, `[wan]\ninterface = "wan0"\n[state]\ndir = "${state}"\n[keepalived]\ndbus = false\n[log]\nlevel = "silent"\n`)
    const prefix = ['unshare', '-n', 'sh', '-c', 'ip link add wan0 type veth peer name isp0 && exec "$0" "$@"']
    const r = await runCli(['notify', '--config', config, 'backup'], {env: cleanEnv(), prefix})
    assert.notEqual(r.code, 0)
    const lines = r.stderr.trim().split('\n')
    assert.equal(lines.length, 1, r.stderr)
    assert.match(lines[0], new RegExp(`${join(state, 'state.json').replace(/[/.]/g, '\\$&')}: EISDIR`))
  })
})
