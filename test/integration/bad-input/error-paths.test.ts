// Errors name their path: a state.json that is a directory made notify say only "EISDIR".
import assert from 'node:assert/strict'
import {chmodSync, chownSync, mkdirSync, writeFileSync} from 'node:fs'
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

test('a config another user owns or can write is not obeyed by root (78); config validate still reads it', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root: the rule is about what root obeys')
  ensureBuilt()
  await withTempDir(async (dir) => {
    const config = join(dir, 'c.toml')
    writeFileSync(config, `[wan]\ninterface = "wan0"\n[state]\ndir = "${join(dir, 'state')}"\n[log]\nlevel = "silent"\n`)
    for (const [spoil, why] of [[() => chmodSync(config, 0o666), /writable by its group and others \(mode 0666\): root will not run what it says/], [() => { chmodSync(config, 0o644); chownSync(config, 65534, 65534) }, /owned by uid 65534, not root/]] as const) {
      spoil()
      for (const args of [['status'], ['check', '--target', '127.0.0.1']]) {
        const r = await runCli([...args, '--config', config])
        assert.equal(r.code, 78, `${args[0]}: ${r.stdout}${r.stderr}`)
        assert.match(r.stderr, why)
      }
      const v = await runCli(['config', 'validate', '--config', config])
      assert.equal(v.code, 0, v.stdout + v.stderr)
    }
  })
})
