// The lab with the peer port (`scripts/lab up --peer`, what `npm run demo` shows): the LAN client's DHCP lease,
// handed out by one gateway's dnsmasq, reaches the other gateway's lease file through dnsmasq's dhcp-script
// (`ha-tool leases hook`), ssh on the sync link with pinned host keys, and the forced command
// `ha-tool config example authorized-keys` prints (`ha-tool peer serve` -> `leases receive`); both nodes' status
// shows the replication and its age. The lab's daemons also write their metrics (`--metrics`), parsed strictly here:
// the role, the lease count and the replication age each node reports.
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import type {NodeStatus} from '../../../src/app/status.js'
import {parsePrometheusText, sampleValue} from '../../support/prometheus-text.js'
import {type Gw, labSkipReason, RUN, sleep, withLab} from '../lab.js'

const leaseLine = (file: string, ip: string) => {
  try { return readFileSync(file, 'utf8').split('\n').find((l) => l.split(' ')[2] === ip) } catch { return undefined }
}

test('lab --peer: the client\'s lease is replicated to the other gateway; status and the metrics show its age', {timeout: 240_000}, async (t) => {
  const skip = labSkipReason() ?? (existsSync('/usr/sbin/sshd') ? undefined : 'the peer port needs sshd (openssh-server: scripts/install-system-deps)')
  if (skip) { t.skip(skip); return }
  await withLab({mode: 'fifo', peer: true, metrics: true}, async (lab) => {
    const ip = lab.clientAddress()
    assert.ok(ip, 'the client has a DHCP lease')
    const lines = await lab.waitFor(`${ip} in both gateways' lease files`, () => {
      const both = (['gw1', 'gw2'] as const).map((gw) => leaseLine(lab.paths(gw).dnsmasqLeases, ip))
      return both.every(Boolean) ? both as string[] : undefined
    }, 15_000, 100) as string[]
    assert.equal(lines[0], lines[1], 'the same lease (expiry, MAC, address, host, client id) on both nodes')

    const status = (gw: Gw) => {
      const r = lab.haTool(gw, ['status', '--json'])
      return JSON.parse(r.stdout) as NodeStatus
    }
    const [s1, s2] = [status('gw1'), status('gw2')]
    const rep = (s: NodeStatus) => {
      assert.ok(s.leases.available && s.leases.replication, JSON.stringify(s.leases))
      return s.leases.replication
    }
    // The node whose dnsmasq answered (its log has the DHCPACK) pushed the lease ("to peer"); the other received it
    // ("from peer"). The receiver's dnsmasq, given the lease over D-Bus, runs its own hook, which pushes it back once:
    // an unchanged lease there, so it ends.
    const acked = (gw: Gw) => readFileSync(join(RUN, 'logs', `${gw}-dnsmasq-dhcp.log`), 'utf8').includes(`DHCPACK(lan0) ${ip} `)
    const servers = (['gw1', 'gw2'] as const).filter(acked)
    assert.equal(servers.length, 1, `one gateway's dnsmasq handed out ${ip} (${servers.join(', ')})`)
    const from = servers[0]
    const to = lab.other(from)
    const [sent, got] = from === 'gw1' ? [rep(s1), rep(s2)] : [rep(s2), rep(s1)]
    assert.ok(sent.toPeer.lastOkAt !== null && sent.toPeer.lastTryOk, `${from} pushed it: ${JSON.stringify(sent)}`)
    assert.ok(got.fromPeer.lastOkAt !== null && got.fromPeer.ageS !== null, `${to} recorded the lease from ${from}: ${JSON.stringify(got)}`)
    assert.ok(got.fromPeer.ageS >= 0 && got.fromPeer.ageS < 120, `its age is how long ago it arrived (${got.fromPeer.ageS} s)`)
    assert.deepEqual([sent.queue.pending, got.queue.pending], [0, 0], 'nothing left queued')
    assert.equal(sent.warning ?? null, null)
    await sleep(2000)
    assert.deepEqual((['gw1', 'gw2'] as const).map((gw) => leaseLine(lab.paths(gw).dnsmasqLeases, ip)), lines, 'the lease stays as it is on both nodes (the one push back changed nothing)')
    // It went through the peer port: the receiving node's sshd ran the forced command for the sender's key.
    const sshd = readFileSync(join(RUN, 'logs', `${to}-sshd.log`), 'utf8')
    assert.match(sshd, /Accepted publickey for root from /, sshd)
    assert.match(readFileSync(join(RUN, to, 'ssh', 'authorized_keys'), 'utf8'), /^restrict,command=".* peer serve --config \S+",from="[\d.]+" ssh-ed25519 /)

    // The demo's view of it: `leases show` on the receiving node lists the lease.
    const shown = JSON.parse(lab.haTool(to, ['leases', 'show', '--json']).stdout) as {leases: Array<{ip: string}>}
    assert.ok(shown.leases.some((l) => l.ip === ip), `leases show on ${to} lists ${ip}`)
    t.diagnostic(`lease ${ip} from ${from} to ${to}, received ${got.fromPeer.ageS} s before status ran`)

    // What node_exporter's textfile collector reads from each daemon (metrics.interval_ms 2000 in the lab).
    const metrics = (gw: Gw) => {
      const file = join(RUN, gw, 'metrics', 'ha-tool.prom')
      return existsSync(file) ? parsePrometheusText(readFileSync(file, 'utf8')) : undefined
    }
    const master = lab.master()
    assert.ok(master, 'one MASTER')
    for (const gw of ['gw1', 'gw2'] as const) {
      const f = await lab.waitFor(`${gw}'s metrics with the lease and the replication`, () => {
        const m = metrics(gw)
        return m && sampleValue(m, 'ha_tool_leases') === 1 && sampleValue(m, 'ha_tool_lease_replication_age_seconds', {direction: gw === to ? 'from_peer' : 'to_peer'}) !== undefined ? m : undefined
      }, 10_000, 200)
      const role: string = gw === master ? 'MASTER' : 'BACKUP'
      assert.equal(sampleValue(f!, 'ha_tool_role', {role}), 1, `${gw} reports ${role}`)
      assert.equal(sampleValue(f!, 'ha_tool_wan_rule_copies'), gw === master ? 1 : 0)
      const age = sampleValue(f!, 'ha_tool_lease_replication_age_seconds', {direction: gw === to ? 'from_peer' : 'to_peer'})!
      assert.ok(age >= 0 && age < 120, `${gw}: replication age ${age} s`)
      assert.equal(sampleValue(f!, 'ha_tool_lease_replication_queue_length', {state: 'pending'}), 0)
      assert.equal(sampleValue(f!, 'ha_tool_lease_replication_behind'), 0)
      assert.ok(sampleValue(f!, 'ha_tool_conntrackd_cache_entries', {cache: 'internal'}) !== undefined, `${gw}: conntrackd's cache counts`)
    }
  })
})
