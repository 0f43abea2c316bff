// `ha-tool leases merge` has to keep up with sort(1): on its fast path it must not load what it does
// not use: oclif, pino, dbus-next, node-cron, node:crypto (~5 ms), and child_process (~2 ms with what
// it pulls in; only the hook and receive subcommands of the same bundle need it). (node:net is not
// checked: writing to stdout loads it whenever stdout is a pipe, as it is here.) Checked in a real run of
// bin/run.js through a preload that reports what was loaded when the process exits; then the same
// check on `leases hook`, which does load child_process, shows the check can fail.
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {ensureBuilt, runCli, withTempDir} from '../../support/spawn.js'

const PRELOAD = `
const {writeSync} = require('node:fs')
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((m) => /^NativeModule (crypto|child_process)$/.test(m)).map((m) => m.slice('NativeModule '.length))
  const packages = Object.keys(require.cache).filter((k) => /node_modules\\/(pino|dbus-next|@oclif\\/core|node-cron)\\//.test(k)).map((k) => k.replace(/.*node_modules\\/((@[^/]+\\/)?[^/]+).*/, '$1'))
  writeSync(2, '\\nLOADED ' + JSON.stringify([...new Set([...builtins, ...packages])].sort()) + '\\n')
})`

const loaded = (stderr: string): string[] => JSON.parse(/LOADED (.*)/.exec(stderr)![1]) as string[]

describe('leases merge: module loads on the fast path', () => {
  it('merging with -o, with and without a config, loads none of oclif, pino, dbus-next, node-cron, crypto, child_process', async () => {
    ensureBuilt()
    await withTempDir(async (dir) => {
      const preload = join(dir, 'preload.cjs')
      writeFileSync(preload, PRELOAD)
      const exp = Math.floor(Date.now() / 1000) + 3600
      const a = join(dir, 'a.leases')
      const b = join(dir, 'b.leases')
      writeFileSync(a, `${exp} 52:54:00:00:00:0a 192.168.1.150 a *\n`)
      writeFileSync(b, `${exp + 60} 52:54:00:00:00:0a 192.168.1.150 a *\n${exp} 52:54:00:00:00:0b 192.168.1.160 b *\n`)
      // With a config, merge reads dnsmasq.lease_max from it (and the hot path may consult the logger).
      const config = join(dir, 'c.toml')
      writeFileSync(config, `[wan]\ninterface = "wan0"\n[state]\ndir = "${join(dir, 'state')}"\n[keepalived]\ndbus = false\n[dnsmasq]\nlease_max = 1000\n`)
      const env: NodeJS.ProcessEnv = {...process.env, NODE_OPTIONS: `--require ${preload}`, HA_TOOL_CONFIG: join(dir, 'none.toml')}
      delete env.NODE_EXTRA_CA_CERTS
      for (const args of [['leases', 'merge', a, b, '-o', join(dir, 'out1')], ['leases', 'merge', '--config', config, a, b, '-o', join(dir, 'out2')]]) {
        const r = await runCli(args, {env: args.includes('--config') ? env : {...env, HA_TOOL_CONFIG: undefined}})
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
        assert.match(r.stdout, /2 leases \(1 added, 1 updated, 0 dropped, 0 conflicts\)/)
        assert.deepEqual(loaded(r.stderr), [], args.join(' '))
      }
      // The check can fail: the hook subcommand of the same bundle loads child_process.
      const hook = await runCli(['leases', 'hook', '--config', config, 'tftp', '0', '192.168.1.9', 'x'], {env})
      assert.ok(loaded(hook.stderr).includes('child_process'), hook.stderr)
    })
  })
})
