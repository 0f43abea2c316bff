// Child programs come from a safe PATH, not whatever we were started with: keepalived and systemd
// pass theirs, with /usr/local first (root:staff 2775 on Debian). An `ip`, `nft` and `ping`
// (and `ssh`, for the peer port) planted first on PATH, in a directory like Debian's /usr/local (root:staff 2775) or one a user
// owns, must never run, for notify and check alike.
import assert from 'node:assert/strict'
import {chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {cleanEnv, ensureBuilt, hasProgram, runCli, withTempDir} from '../../support/spawn.js'

test('programs planted first on PATH are not run by notify, check or leases sync', {timeout: 60_000}, async (t) => {
  if (process.getuid?.() !== 0 || !hasProgram('unshare')) return t.skip('needs root and unshare for a throwaway network namespace')
  ensureBuilt()
  await withTempDir(async (dir) => {
    const staff = join(dir, 'usr-local-sbin') // like Debian's /usr/local: root:staff 2775
    const users = join(dir, 'home-bin') // a directory a user owns
    const marker = join(dir, 'ran')
    for (const d of [staff, users]) {
      mkdirSync(d)
      for (const name of ['ip', 'nft', 'ping', 'ssh']) {
        writeFileSync(join(d, name), `#!/bin/sh\necho "${d} ${name} $*" >> "${marker}"\nexit 0\n`)
        chmodSync(join(d, name), 0o755)
      }
    }
    chownSync(staff, 0, 50)
    chmodSync(staff, 0o2775)
    chownSync(users, 65534, 65534)
    chmodSync(dir, 0o755)
    const config = join(dir, 'c.toml')
    writeFileSync(config, `[wan]\ninterface = "wan0"\n[state]\ndir = "${join(dir, 'state')}"\n[keepalived]\ndbus = false\n[log]\nlevel = "silent"\n[peer]\ndestination = "root@127.0.0.1"\nport = 1\n[dnsmasq]\nleases = "${join(dir, 'leases')}"\n`)
    // The namespace is set up with the real ip; only ha-tool sees the planted PATH.
    const prefix = ['unshare', '-n', 'sh', '-c', 'ip link set lo up && ip link add wan0 type veth peer name isp0 && PATH="$PLANTED:$PATH" exec "$0" "$@"']
    const env = cleanEnv({PLANTED: `${staff}:${users}`})
    for (const args of [['notify', '--config', config, 'backup'], ['notify', '--config', config, 'master'], ['check', '--target', '127.0.0.1'], ['leases', 'sync', '--config', config]]) {
      const r = await runCli(args, {env, prefix})
      assert.ok(r.code !== null, `${args.join(' ')}: killed`)
    }
    assert.equal(existsSync(marker), false, `a planted program ran as root: ${existsSync(marker) ? readFileSync(marker, 'utf8') : ''}`)
  })
})
