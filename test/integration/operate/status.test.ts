// `ha-tool status` against the real iproute2 in namespaces, and `status --peer` through a real
// sshd: two nodes (hat-h8-sa as MASTER, hat-h8-sb as BACKUP) joined by a sync link, each with
// a WAN link, its own state file and config. Traffic stays on that link.
import assert from 'node:assert/strict'
import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import type {NodeStatus, PairStatus} from '../../../src/app/status.js'
import {ExitCode} from '../../../src/core/exit-codes.js'
import {BIN, cleanEnv, ensureBuilt, hasProgram, runCli, withTempDir} from '../../support/spawn.js'
import {buildTopology, type End, type NodeSpec, type Topology} from '../../support/topology.js'
import {must, netnsSkipReason, sh, startIn, waitFor} from './netns.js'
import {sshdCommand} from '../../support/sshd.js'

const A = `hat-h8-sa-${process.pid}`
const B = `hat-h8-sb-${process.pid}`

function state(role: string, startedAt: number) {
  return JSON.stringify({version: 1, role, source: 'fifo', instance: 'VI_gateway', startedAt, finishedAt: startedAt + 7.5, exit: 0,
    steps: [{kind: 'rule.add', why: 'route through the WAN', status: 'ok', durationMs: 0.7}], history: []})
}

/** One node's files: config (peer = the other node), state dir with state.json, a lease file. */
function nodeFiles(dir: string, name: string, peerAddr: string, role: string): string {
  const d = join(dir, name)
  mkdirSync(join(d, 'state'), {recursive: true})
  writeFileSync(join(d, 'state/state.json'), state(role, Date.now() - 30_000))
  writeFileSync(join(d, 'leases'), '1999999999 02:00:00:00:00:01 192.168.1.100 host1 *\n1999999999 02:00:00:00:00:02 192.168.1.101 * *\n')
  const config = join(d, 'config.toml')
  writeFileSync(config, [
    '[wan]', 'interface = "wan0"',
    '[keepalived]', 'dbus = false',
    '[dnsmasq]', `leases = "${d}/leases"`, `peer = "root@${peerAddr}"`, `ssh_key = "${dir}/id"`, 'ssh_timeout_ms = 5000',
    `ssh_known_hosts = "${dir}/known_hosts"`, `peer_command = ["${BIN}"]`,
    '[state]', `dir = "${d}/state"`,
    '[doctor]', `binary = "${BIN}"`, '',
  ].join('\n'))
  return config
}

/** gw1 (A) and gw2 (B): each a WAN with table 250's default route, joined by the sync link; gw1 is MASTER (its WAN rule is in). */
function setUpNamespaces(): Topology<'a' | 'b'> {
  const gw: NodeSpec = {routes: ['default via 203.0.113.1 dev wan0 table 250']}
  const wan = (node: 'a' | 'b'): [End<'a' | 'b'>, End<'a' | 'b'>] => [{node, dev: 'wan0', addrs: ['203.0.113.5/24']}, {node, dev: 'isp0'}]
  return buildTopology<'a' | 'b'>({
    prefix: 'hat-h8-', names: {a: A, b: B},
    nodes: {a: {...gw, rules: ['priority 32770 lookup 250 protocol 73']}, b: gw},
    links: [wan('a'), wan('b'), [{node: 'a', dev: 'hat-h8-s0', addrs: ['192.168.190.1/29']}, {node: 'b', dev: 'hat-h8-s1', addrs: ['192.168.190.2/29']}]],
  })
}

/** sshd for gw2 on the sync link, sessions reading gw2's config; an ssh wrapper with the test's known_hosts. */
function sshSetup(dir: string, gw2Config: string): {env: NodeJS.ProcessEnv; sshdArgv: string[]} {
  must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')])
  must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'hostkey')])
  must(['cp', join(dir, 'id.pub'), join(dir, 'authorized_keys')])
  // The peer port checks host keys strictly: the test knows gw2's.
  writeFileSync(join(dir, 'known_hosts'), `192.168.190.2 ${readFileSync(join(dir, 'hostkey.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ')}\n`)
  // sshd refuses to start without its privilege-separation directory (Debian's unit creates it).
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', {mode: 0o755})
  writeFileSync(join(dir, 'sshd_config'), [
    'ListenAddress 192.168.190.2', 'Port 22', `HostKey ${dir}/hostkey`, `PidFile ${dir}/sshd.pid`,
    `AuthorizedKeysFile ${dir}/authorized_keys`, 'PermitRootLogin prohibit-password', 'PasswordAuthentication no',
    'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', `SetEnv HA_TOOL_CONFIG=${gw2Config}`, '',
  ].join('\n'))
  writeFileSync(join(dir, 'ssh_config'), [`UserKnownHostsFile ${dir}/known_hosts`, 'StrictHostKeyChecking accept-new', 'IdentitiesOnly yes', ''].join('\n'))
  mkdirSync(join(dir, 'bin'))
  writeFileSync(join(dir, 'bin/ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${dir}/ssh_config "$@"\n`)
  chmodSync(join(dir, 'bin/ssh'), 0o755)
  return {
    env: cleanEnv({PATH: `${dir}/bin:${process.env.PATH}`, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${dir}/no-bus`}),
    sshdArgv: sshdCommand(['/usr/sbin/sshd', '-D', '-e', '-f', join(dir, 'sshd_config')]),
  }
}

const skipWhy = netnsSkipReason() ?? (['ssh', '/usr/sbin/sshd', 'ssh-keygen'].filter((p) => !hasProgram(p)).map((p) => `${p} is not installed (scripts/install-system-deps)`)[0])

describe('status on two namespace nodes', {skip: skipWhy ?? false}, () => {
  test('status --json reads the real link, address, rule and table; --peer shows both nodes over ssh; a dead peer exits 69', async () => {
    ensureBuilt()
    await withTempDir(async (dir) => {
      const topo = setUpNamespaces()
      try {
        const gw1 = nodeFiles(dir, 'gw1', '192.168.190.2', 'MASTER')
        const gw2 = nodeFiles(dir, 'gw2', '192.168.190.1', 'BACKUP')
        const {env, sshdArgv} = sshSetup(dir, gw2)
        const onA = (args: string[]) => runCli(args, {env, prefix: ['ip', 'netns', 'exec', A], timeoutMs: 30_000})

        // One node.
        const one = await onA(['status', '--json', '--config', gw1])
        assert.equal(one.code, ExitCode.OK, one.stderr)
        const s = JSON.parse(one.stdout) as NodeStatus
        assert.equal(s.version, 1)
        assert.deepEqual(s.role, {role: 'MASTER', source: 'state-file', instance: 'VI_gateway', note: 'keepalived.dbus = false'})
        assert.ok(s.wan.available)
        assert.deepEqual({...s.wan}, {available: true, interface: 'wan0', exists: true, adminUp: true, carrier: true, addresses: ['203.0.113.5'], defaultRoute: true, rule: {table: 250, priority: 32770, copies: 1}, ipv6: s.wan.ipv6, silenced: s.wan.silenced})
        assert.ok(s.leases.available && s.leases.count === 2)
        assert.ok(s.transitions.available && s.transitions.last?.steps[0].kind === 'rule.add')
        assert.deepEqual(s.conntrackd, {available: false, reason: 'conntrackd.enabled = false'})

        // The pair, through a real sshd on the sync link.
        const sshd = startIn(B, sshdArgv)
        try {
          await waitFor('sshd to listen', () => sh(['ip', 'netns', 'exec', B, 'ss', '-Htln', 'sport = :22']).stdout.includes('192.168.190.2'), 10_000)
          const pair = await onA(['status', '--peer', '--json', '--config', gw1])
          assert.equal(pair.code, ExitCode.OK, pair.stderr + pair.stdout)
          const p = JSON.parse(pair.stdout) as PairStatus
          assert.deepEqual(Object.keys(p), ['local', 'peer'])
          assert.equal(p.local.role.role, 'MASTER')
          assert.ok('version' in p.peer, JSON.stringify(p.peer))
          const peer = p.peer as NodeStatus
          assert.equal(peer.role.role, 'BACKUP')
          assert.ok(peer.wan.available && peer.wan.rule.copies === 0, 'the BACKUP has no WAN rule')
          assert.ok(p.local.wan.available && p.local.wan.rule.copies === 1)
          const text = await onA(['status', '--peer', '--config', gw1])
          assert.match(text.stdout, /role\s+MASTER \(last transition\)\s+BACKUP \(last transition\)/)
          assert.match(text.stdout, /wan rule\s+to all lookup 250 priority 32770: present;.*\s+to all lookup 250 priority 32770: absent;/)
        } finally {
          await sshd.stop()
        }
        const dead = await onA(['status', '--peer', '--json', '--config', gw1])
        assert.equal(dead.code, ExitCode.UNAVAILABLE)
        const d = JSON.parse(dead.stdout) as PairStatus
        assert.equal(d.local.role.role, 'MASTER')
        assert.equal((d.peer as {available: boolean}).available, false)
        assert.match((d.peer as {reason: string}).reason, /^peer root@192\.168\.190\.2 unreachable: .*(refused|timed out)/i)
      } finally {
        topo.destroy()
      }
    })
  })
})
