// The examples as the real daemons read them: keepalived -t (both modes), nft -c, dnsmasq --test,
// and conntrackd started on its example config in a namespace with the sync link.
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {before, describe, test} from 'node:test'
import {BIN, cleanEnv, ensureBuilt, hasProgram, runCli, withTempDir} from '../../support/spawn.js'
import {must, netnsSkipReason, sh, startIn, waitFor, withNetns} from './netns.js'

before(() => ensureBuilt())

/** A config naming the namespace's links, calling ha-tool by this checkout's bin/run.js. */
function writeConfig(dir: string): string {
  const path = join(dir, 'config.toml')
  writeFileSync(path, [
    '[wan]', 'interface = "wan0"', 'link = "down-on-backup"',
    '[lan]', 'interface = "lan0"', 'address = "192.168.1.1/24"',
    '[sync]', 'interface = "sync0"', 'address = "192.168.190.1/29"',
    '[state]', `dir = "${dir}/state"`,
    '[doctor]', `binary = "${BIN}"`, '',
  ].join('\n'))
  return path
}

async function example(kind: string, config: string, ...more: string[]): Promise<string> {
  const r = await runCli(['config', 'example', kind, '--config', config, ...more], {env: cleanEnv()})
  assert.equal(r.code, 0, r.stderr)
  return r.stdout
}

const skipWhy = (...programs: string[]) => netnsSkipReason() ?? programs.filter((p) => !hasProgram(p)).map((p) => `${p} is not installed (scripts/install-system-deps)`)[0]

describe('config example output, read by the real programs', () => {
  test('keepalived -t accepts the fifo and the script mode (exit 0: script security on, scripts found)', async (t) => {
    const why = skipWhy('keepalived')
    if (why) { t.skip(why); return }
    await withTempDir(async (dir) => {
      const config = writeConfig(dir)
      await withNetns('kat', ['lan0', 'wan0'], async (ns) => {
        for (const mode of ['fifo', 'script']) {
          const conf = join(dir, `keepalived-${mode}.conf`)
          writeFileSync(conf, await example('keepalived', config, '--mode', mode))
          const r = sh(['ip', 'netns', 'exec', ns, 'keepalived', '-t', '-l', '-f', conf])
          assert.equal(r.code, 0, `${mode}: keepalived -t exit ${r.code}: ${r.stderr}`)
        }
      })
    })
  })

  test('nft -c accepts the nftables example', async (t) => {
    const why = skipWhy('nft')
    if (why) { t.skip(why); return }
    await withTempDir(async (dir) => {
      const file = join(dir, 'nftables.conf')
      writeFileSync(file, await example('nftables', writeConfig(dir)))
      await withNetns('nft', ['lan0', 'wan0'], async (ns) => {
        const r = sh(['ip', 'netns', 'exec', ns, 'nft', '-c', '-f', file])
        assert.equal(r.code, 0, r.stderr)
        // Loaded for real, it is what doctor looks for.
        must(['ip', 'netns', 'exec', ns, 'nft', '-f', file])
        assert.match(must(['ip', 'netns', 'exec', ns, 'nft', 'list', 'chain', 'inet', 'ha_tool_filter', 'forward']), /iifname \{ "lan0", "vrrp\.60" \} oifname \{ "lan0", "vrrp\.60" \} drop/)
      })
    })
  })

  test('dnsmasq --test accepts the dnsmasq example', async (t) => {
    const why = hasProgram('dnsmasq') ? undefined : 'dnsmasq is not installed (scripts/install-system-deps)'
    if (why) { t.skip(why); return }
    await withTempDir(async (dir) => {
      const file = join(dir, 'dnsmasq.conf')
      writeFileSync(file, await example('dnsmasq', writeConfig(dir)))
      const r = sh(['dnsmasq', '--test', '-C', file])
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stderr, /syntax check OK/)
    })
  })

  test('conntrackd runs on the conntrackd example and answers on its socket', async (t) => {
    const why = skipWhy('conntrackd')
    if (why) { t.skip(why); return }
    await withTempDir(async (dir) => {
      // Private lock and socket paths, so this never meets another conntrackd on the machine.
      const text = (await example('conntrackd', writeConfig(dir)))
        .replace('LockFile /var/lock/conntrackd.lock', `LockFile ${dir}/ct.lock`)
        .replace('Path /var/run/conntrackd.ctl', `Path ${dir}/ct.ctl`)
        .replace('LogFile on', `LogFile ${dir}/ct.log`)
      const file = join(dir, 'conntrackd.conf')
      writeFileSync(file, text)
      await withNetns('ctd', ['sync0'], async (ns) => {
        must(['ip', '-n', ns, 'addr', 'add', '192.168.190.1/29', 'dev', 'sync0'])
        must(['ip', '-n', ns, 'addr', 'add', '192.168.190.2/29', 'dev', 'sync0p'])
        const daemon = startIn(ns, ['conntrackd', '-C', file])
        try {
          await waitFor('conntrackd to answer -s', () => sh(['ip', 'netns', 'exec', ns, 'conntrackd', '-C', file, '-s']).code === 0, 10_000)
          const stats = must(['ip', 'netns', 'exec', ns, 'conntrackd', '-C', file, '-s'])
          assert.match(stats, /cache internal/)
          assert.match(stats, /cache external/)
        } finally {
          await daemon.stop()
        }
      })
    })
  })
})
