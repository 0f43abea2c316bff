// Child programs come from a fixed PATH, not the one we were started with: keepalived and systemd
// pass theirs, with /usr/local first (root:staff 2775 on Debian). An `ip`, `nft` and `ping`
// planted first on PATH must never run, for notify and check alike.
import assert from 'node:assert/strict'
import {chmodSync, existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {cleanEnv, ensureBuilt, hasProgram, runCli, withTempDir} from '../../support/spawn.js'

test('programs planted first on PATH are not run by notify or check', {timeout: 60_000}, async (t) => {
  if (process.getuid?.() !== 0 || !hasProgram('unshare')) return t.skip('needs root and unshare for a throwaway network namespace')
  ensureBuilt()
  await withTempDir(async (dir) => {
    const planted = join(dir, 'usr-local-sbin')
    mkdirSync(planted)
    const marker = join(dir, 'ran')
    for (const name of ['ip', 'nft', 'ping']) {
      writeFileSync(join(planted, name), `#!/bin/sh\necho "${name} $*" >> "${marker}"\nexit 0\n`)
      chmodSync(join(planted, name), 0o755)
    }
    const config = join(dir, 'c.toml')
    writeFileSync(config, `[wan]\ninterface = "wan0"\n[state]\ndir = "${join(dir, 'state')}"\n[keepalived]\ndbus = false\n[log]\nlevel = "silent"\n`)
    // The namespace is set up with the real ip; only ha-tool sees the planted PATH.
    const prefix = ['unshare', '-n', 'sh', '-c', 'ip link set lo up && ip link add wan0 type veth peer name isp0 && PATH="$PLANTED:$PATH" exec "$0" "$@"']
    const env = cleanEnv({PLANTED: planted})
    for (const args of [['notify', '--config', config, 'backup'], ['notify', '--config', config, 'master'], ['check', '--target', '127.0.0.1']]) {
      const r = await runCli(args, {env, prefix})
      assert.ok(r.code !== null, `${args.join(' ')}: killed`)
    }
    assert.equal(existsSync(marker), false, `a planted program ran as root: ${existsSync(marker) ? (await import('node:fs')).readFileSync(marker, 'utf8') : ''}`)
  })
})
