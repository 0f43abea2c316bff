// doctor and status on the lab (README "The lab"): doctor passes on both gateways of a correct pair
// and names each planted fault; `status --peer` shows both nodes through a real sshd on the sync link.
import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import type {NodeStatus, PairStatus} from '../../src/app/status.js'
import {withTempDir} from '../support/spawn.js'
import {ADDR, type Gw, type Lab, labSkipReason, RUN, VMAC_IF, withLab} from './lab.js'

type Report = {ok: boolean; checks: Array<{id: string; status: string; detail: string; fix?: string}>}
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/**
 * Each gateway's ha-tool config: the lab's own (its [lan] and [doctor] binary, the installed ha-tool, are the lab's) plus the ssh
 * settings. state.dir is skipped: the lab creates it at `up` instead of through tmpfiles.d at boot.
 */
function writeConfig(lab: Lab, dir: string, gw: Gw): string {
  const BIN = lab.bin()
  const path = join(dir, `${gw}.toml`)
  const own = readFileSync(lab.paths(gw).config, 'utf8')
  assert.match(own, new RegExp(`\\[lan\\][^[]*address = "${ADDR.lan[gw].replaceAll('.', '\\.')}/24"`), 'the lab states the node\'s LAN')
  assert.match(own, new RegExp(`\\[doctor\\]\\n(#.*\\n)*binary = "${BIN}"`), 'the lab names the ha-tool keepalived runs')
  writeFileSync(path, own
    .replace(/^\[doctor\]\n/m, '[doctor]\nskip = ["state-dir"]\n')
    .replace(/^\[dnsmasq\]\n/m, `[dnsmasq]\nssh_key = "${dir}/id"\nssh_known_hosts = "${dir}/known_hosts"\npeer_command = ["${BIN}"]\n`))
  return path
}

/** sshd on a gateway's sync address, its sessions reading that gateway's config and bus. */
function startSshd(lab: Lab, dir: string, gw: Gw, config: string): void {
  const conf = join(dir, `sshd-${gw}.conf`)
  writeFileSync(conf, [
    `ListenAddress ${ADDR.sync[gw]}`, `HostKey ${dir}/hostkey`, `PidFile ${dir}/sshd-${gw}.pid`, `AuthorizedKeysFile ${dir}/authorized_keys`,
    'PermitRootLogin prohibit-password', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no',
    `SetEnv HA_TOOL_CONFIG=${config} DBUS_SYSTEM_BUS_ADDRESS=unix:path=${join(RUN, gw, 'root/run-dbus/system_bus_socket')}`, '',
  ].join('\n'))
  lab.start(`${gw}-sshd`, gw, ['/usr/sbin/sshd', '-D', '-e', '-f', conf])
}

test('lab: doctor passes on both nodes and names planted faults; status --peer shows the pair', {timeout: 300_000}, async (t) => {
  const skip = labSkipReason()
  if (skip) { t.skip(skip); return }
  await withTempDir(async (dir) => {
    await withLab({mode: 'fifo', link: 'keep-up', conntrackd: true}, async (lab) => {
      const run = (gw: Gw, argv: string[]) => lab.exec(gw, argv, {env: {PATH: `${dir}/bin:${PATH}`}, timeoutMs: 60_000})
      run('gw1', ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')])
      run('gw1', ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'hostkey')])
      writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id.pub')))
      // The peer port checks host keys strictly (StrictHostKeyChecking=yes): the test knows both.
      const hostKey = readFileSync(join(dir, 'hostkey.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ')
      writeFileSync(join(dir, 'known_hosts'), `${ADDR.sync.gw1} ${hostKey}\n${ADDR.sync.gw2} ${hostKey}\n`)
      // The client side: known_hosts of this test, not root's.
      mkdirSync(join(dir, 'bin'))
      writeFileSync(join(dir, 'ssh_config'), `UserKnownHostsFile ${dir}/known_hosts\nStrictHostKeyChecking accept-new\nIdentitiesOnly yes\n`)
      writeFileSync(join(dir, 'bin/ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${dir}/ssh_config "$@"\n`)
      chmodSync(join(dir, 'bin/ssh'), 0o755)
      const config = {gw1: writeConfig(lab, dir, 'gw1'), gw2: writeConfig(lab, dir, 'gw2')}
      for (const gw of ['gw1', 'gw2'] as const) startSshd(lab, dir, gw, config[gw])
      for (const gw of ['gw1', 'gw2'] as const) {
        await lab.waitFor(`sshd on ${gw}`, () => run(gw, ['ss', '-Htln', 'sport = :22']).stdout.includes(ADDR.sync[gw]))
      }
      const doctor = (gw: Gw) => {
        const r = run(gw, [lab.bin(), 'doctor', '--json', '--config', config[gw]])
        const report = JSON.parse(r.stdout) as Report
        return {code: r.code, report, get: (id: string) => report.checks.find((c) => c.id === id)!}
      }

      // A correct pair: every check passes on both nodes (warnings allowed, reported).
      for (const gw of ['gw1', 'gw2'] as const) {
        const d = doctor(gw)
        for (const c of d.report.checks.filter((x) => x.status !== 'pass')) t.diagnostic(`${gw} ${c.status} ${c.id}: ${c.detail}`)
        assert.deepEqual(d.report.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.detail}`), [], `${gw}: doctor found faults on a correct pair`)
        assert.equal(d.code, 0)
        for (const id of ['keepalived-test', 'binary-security', 'nft-lan-forward-drop', 'networkd-foreign-rules', 'networkd-wan-dhcp', 'networkd-lan-fallback', 'wan-silence', 'conntrackd', 'peer-ssh', 'peer-config']) {
          assert.equal(d.get(id).status, 'pass', `${gw} ${id}: ${d.get(id).detail}`)
        }
      }

      // status --peer from gw1: both nodes, side by side, from keepalived over D-Bus.
      const pair = run('gw1', [lab.bin(), 'status', '--peer', '--json', '--config', config.gw1])
      assert.equal(pair.code, 0, pair.stderr)
      const p = JSON.parse(pair.stdout) as PairStatus
      assert.ok('version' in p.peer, JSON.stringify(p.peer))
      const [me, peer] = [p.local, p.peer as NodeStatus]
      assert.deepEqual([me.role.role, me.role.source, peer.role.role, peer.role.source], ['MASTER', 'keepalived-dbus', 'BACKUP', 'keepalived-dbus'])
      assert.ok(me.wan.available && peer.wan.available)
      assert.deepEqual([me.wan.rule.copies, peer.wan.rule.copies], [1, 0], 'the WAN rule on the MASTER only')
      assert.deepEqual([me.wan.silenced, peer.wan.silenced], [false, true], 'the BACKUP silenced on the WAN')
      assert.deepEqual([me.wan.addresses, peer.wan.addresses], [[ADDR.wanLease], [ADDR.wanLease]], 'one lease on both WANs')
      assert.ok(me.conntrackd.available && peer.conntrackd.available, 'conntrackd counts on both')
      const text = run('gw1', [lab.bin(), 'status', '--peer', '--config', config.gw1]).stdout
      assert.match(text, /role\s+MASTER \(keepalived D-Bus, VI_LAN\)\s+BACKUP \(keepalived D-Bus, VI_LAN\)/)

      // The daemon keeps what it owns: a silence table deleted under it comes back (reconcile).
      run('gw2', ['nft', 'delete', 'table', 'netdev', 'ha_tool_wan_silence'])
      const healed = async () => { for (let i = 0; i < 60; i++) { if (run('gw2', ['nft', 'list', 'table', 'netdev', 'ha_tool_wan_silence']).code === 0) return true; await new Promise((r) => setTimeout(r, 50)) } return false }
      assert.ok(await healed(), 'the daemon did not restore the BACKUP\'s WAN silence')

      // Planted faults, one per check, each named with its fix (the daemon stopped, or it would repair some).
      await lab.stop('gw2-hatd')
      run('gw2', ['nft', 'flush', 'chain', 'inet', 'ha_tool_filter', 'forward'])
      run('gw2', ['nft', 'delete', 'table', 'netdev', 'ha_tool_wan_silence'])
      const d2 = doctor('gw2')
      assert.equal(d2.code, 1)
      assert.equal(d2.get('nft-lan-forward-drop').status, 'fail')
      assert.match(d2.get('nft-lan-forward-drop').fix!, new RegExp(`iifname \\{ "lan0", "${VMAC_IF.replace('.', '\\.')}" \\}`))
      assert.equal(d2.get('wan-silence').status, 'fail')
      assert.match(d2.get('wan-silence').detail, /BACKUP but wan0 is not silenced/)

      const wanFile = join(RUN, 'gw1', 'root/etc-network/50-wan0.network')
      writeFileSync(wanFile, readFileSync(wanFile, 'utf8').replace(/^ClientIdentifier=mac\n/m, ''))
      await lab.stop('gw2-sshd')
      const d1 = doctor('gw1')
      assert.equal(d1.code, 1)
      assert.equal(d1.get('networkd-wan-dhcp').status, 'fail')
      assert.match(d1.get('networkd-wan-dhcp').fix!, /ClientIdentifier=mac/)
      assert.equal(d1.get('peer-ssh').status, 'fail')
      assert.match(d1.get('peer-ssh').detail, new RegExp(`ssh -p 22 root@${ADDR.sync.gw2.replaceAll('.', '\\.')} \\(StrictHostKeyChecking=yes`))
      const down = run('gw1', [lab.bin(), 'status', '--peer', '--json', '--config', config.gw1])
      assert.equal(down.code, 69, 'an unreachable peer exits 69')
      assert.equal((JSON.parse(down.stdout) as PairStatus).local.role.role, 'MASTER')
    })
  })
})
