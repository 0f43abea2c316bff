// The oclif commands load pino and dbus-next only when used, through process.getBuiltinModule,
// which Node has only from 20.16 on; bin/run.js supplies it on older Node 20. Checked on this
// Node by taking the function away before bin/run.js starts: `status --log-level debug` must
// still log (pino) and reach D-Bus (dbus-next), instead of "cannot load ...". status only reads.
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {cleanEnv, ensureBuilt, runCli, withTempDir} from '../../support/spawn.js'

describe('bin/run.js on a Node 20 without process.getBuiltinModule (before 20.16)', () => {
  it('status --log-level debug loads pino and dbus-next lazily all the same', async () => {
    ensureBuilt()
    await withTempDir(async (dir) => {
      const preload = join(dir, 'old-node.cjs')
      writeFileSync(preload, 'delete process.getBuiltinModule\n')
      const example = await runCli(['config', 'example', 'ha-tool'], {env: cleanEnv()})
      assert.equal(example.code, 0, example.stderr)
      const config = join(dir, 'ha-tool.toml')
      writeFileSync(config, example.stdout.replace(/^dir = .*$/m, `dir = ${JSON.stringify(join(dir, 'state'))}`))
      // No system bus is reached on purpose: an address nobody listens on.
      const env = cleanEnv({NODE_OPTIONS: `--require ${preload}`, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${join(dir, 'no-bus')}`})
      const r = await runCli(['status', '--log-level', 'debug', '--config', config], {env})
      const out = r.stdout + r.stderr
      assert.doesNotMatch(out, /cannot load/, out)
      assert.match(r.stderr, /^\{"level":20,.*"msg":"exec"/m, 'pino wrote the debug log')
      assert.match(out, /D-Bus: no system bus at unix:path=/, 'dbus-next was loaded and tried the bus')
    })
  })
})
