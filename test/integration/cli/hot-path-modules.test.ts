// The hot commands keepalived spawns every second must not load what they do not use: oclif,
// pino (unless something is logged), dbus-next, node:crypto (~5 ms), perf_hooks (~1 ms),
// util.parseArgs (~0.7 ms). Checked in a real run of bin/run.js, through a preload that reports
// what was loaded when the process exits.
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {ensureBuilt, hasProgram, runCli, withTempDir} from '../../support/spawn.js'

const PRELOAD = `
const {writeSync} = require('node:fs')
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((m) => /^NativeModule (crypto|perf_hooks|internal\\/util\\/parse_args\\/parse_args)$/.test(m))
  const packages = Object.keys(require.cache).filter((k) => /node_modules\\/(pino|dbus-next|@oclif\\/core|node-cron|smol-toml)\\//.test(k)).map((k) => k.replace(/.*node_modules\\/((@[^/]+\\/)?[^/]+).*/, '$1'))
  writeSync(2, '\\nLOADED ' + JSON.stringify([...new Set([...builtins, ...packages])]) + '\\n')
})`

const loaded = (stderr: string): string[] => JSON.parse(/LOADED (.*)/.exec(stderr)![1]) as string[]
const skip = process.getuid?.() !== 0 || !hasProgram('unshare') ? 'needs root and unshare for a throwaway network namespace' : undefined

describe('hot path module loads', {skip}, () => {
  it('notify and check load none of oclif, pino, dbus-next, crypto, perf_hooks, parseArgs', async () => {
    ensureBuilt()
    await withTempDir(async (dir) => {
      const preload = join(dir, 'preload.cjs')
      writeFileSync(preload, PRELOAD)
      const config = join(dir, 'c.toml')
      // silence = "none" and a WAN link that exists: BACKUP finds nothing to do in a fresh namespace.
      writeFileSync(config, `[wan]\ninterface = "wan0"\nsilence = "none"\n[state]\ndir = "${join(dir, 'state')}"\n[keepalived]\ndbus = false\n`)
      // A throwaway network namespace with loopback and a WAN link: notify touches rules there, check pings 127.0.0.1.
      const prefix = ['unshare', '-n', 'sh', '-c', 'ip link set lo up && ip link add wan0 type veth peer name isp0 && exec "$0" "$@"']
      const env: NodeJS.ProcessEnv = {...process.env, NODE_OPTIONS: `--require ${preload}`}
      delete env.HA_TOOL_CONFIG
      for (const args of [['notify', '--config', config, 'backup'], ['notify', '--config', config, 'INSTANCE', 'VI_1', 'BACKUP', '100'], ['check', '--target', '127.0.0.1']]) {
        const r = await runCli(args, {env, prefix})
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
        assert.deepEqual(loaded(r.stderr), [], args.join(' '))
      }
      // The check above can fail: loading pino on purpose (debug logging) shows up.
      const debug = await runCli(['notify', '--log-level', 'debug', '--config', config, 'backup'], {env, prefix})
      assert.ok(loaded(debug.stderr).includes('pino'), debug.stderr)
    })
  })
})
