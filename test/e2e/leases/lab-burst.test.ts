// Issue 16's lab test (2) on what ships: the lab with the peer port (`scripts/lab up --peer`: the shipped configs
// from `ha-tool config example`, the installed ha-tool, dnsmasq's dhcp-script = the shipped wrapper, sshd with the
// forced-command key, each node's `ha-tool daemon` holding the channel). 200 DHCP clients (dhcp-burst.mjs: real
// DISCOVER/OFFER/REQUEST/ACK with the MASTER's dnsmasq) within 10 s: every lease must be in the other gateway's
// lease file, the same address for the same MAC, within 5 s of the last ACK.
// The mechanism switched off (HAT_LEASES_NO_DAEMON=1 stops the MASTER's daemon first: each of dnsmasq's hook runs,
// one at a time, then pushes over its own ssh connection) makes it fail.
// KNOWN FAILURE, marked todo (it runs and reports, it does not fail the tier). 2026-12-06, 200 ACKs in 8.0 s:
// - the daemon ran no replicator in the lab (dnsmasq.enabled = false there): 15-17 leases on the peer after 5 s;
// - the replicator runs whatever dnsmasq.enabled says: 146;
// - and the peer's dnsmasq no longer echoes received leases back (core/leases/echo.ts): 167, all 200 later.
// What is left is dnsmasq running its dhcp-script serially, one ha-tool start per lease, on both nodes of a 2-core
// machine: the MASTER's backlog of hook runs outlasts the burst by several seconds. The cure is a daemon that reads
// dnsmasq's lease changes without a process per lease (watching the lease file); not built yet.
// One run also got one NAK from the MASTER (both gateways serve the same range in the lab).
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {ADDR, labSkipReason, ROOT, NS, sleep, withLab} from '../lab.js'
import {existsSync} from 'node:fs'
import {spawnSync} from 'node:child_process'

const COUNT = 200
const leasesIn = (file: string): Map<string, string> => {
  const m = new Map<string, string>()
  try {
    for (const l of readFileSync(file, 'latin1').split('\n')) {
      const f = l.split(' ')
      if (f.length === 5) m.set(f[1], f[2])
    }
  } catch { /* not written yet */ }
  return m
}

test(`lab --peer: ${COUNT} DHCP clients within 10 s, every lease on the other gateway within 5 s of the last`, {timeout: 300_000}, async (t) => {
  const skip = labSkipReason() ?? (existsSync('/usr/sbin/sshd') ? undefined : 'the peer port needs sshd (openssh-server: scripts/install-system-deps)')
  if (skip) { t.skip(skip); return }
  await withLab({mode: 'fifo', peer: true}, async (lab) => {
    const master = lab.master()
    assert.ok(master, 'one MASTER')
    const peer = lab.other(master)
    // The burst client needs the client's port 68: the lab's dhclient goes.
    await lab.stop('client-dhclient')
    if (process.env.HAT_LEASES_NO_DAEMON) assert.ok(await lab.stop(`${master}-hatd`), 'the daemon stopped (mechanism off)')
    const r = spawnSync('ip', ['netns', 'exec', NS.client, process.execPath, join(ROOT, 'test/e2e/leases/dhcp-burst.mjs'), String(COUNT), '8000', `${ADDR.lan[master]},${ADDR.vip}`], {encoding: 'utf8', timeout: 60_000})
    assert.equal(r.status, 0, r.stderr)
    const burst = JSON.parse(r.stdout) as {clients: Array<{mac: string; ip: string; ackAt: number}>; failed: Array<{mac: string; why: string}>; firstAt: number; lastAckAt: number}
    assert.deepEqual(burst.failed, [], 'every client got an ACK from the MASTER')
    assert.equal(burst.clients.length, COUNT)
    assert.ok(burst.lastAckAt - burst.firstAt <= 10_000, `${COUNT} clients in ${burst.lastAckAt - burst.firstAt} ms`)
    const missing = () => {
      const there = leasesIn(lab.paths(peer).dnsmasqLeases)
      return burst.clients.filter((c) => there.get(c.mac) !== c.ip)
    }
    let left = missing()
    while (left.length > 0 && Date.now() - burst.lastAckAt < 5000) {
      await sleep(50)
      left = missing()
    }
    const after = Date.now() - burst.lastAckAt
    t.diagnostic(`${COUNT} ACKs from ${master} in ${burst.lastAckAt - burst.firstAt} ms; on ${peer} ${left.length === 0 ? `all, ${after} ms after the last ACK` : `${COUNT - left.length} after ${after} ms`}`)
    if (left.length > 0) {
      // Where the changes are: still queued on the MASTER, or not yet handed to the hook by dnsmasq.
      for (const gw of [master, peer]) {
        const s = JSON.parse(lab.haTool(gw, ['status', '--json']).stdout) as {leases?: {replication?: unknown}}
        t.diagnostic(`${gw} replication: ${JSON.stringify(s.leases?.replication)}`)
        const log = readFileSync(join(lab.paths(gw).logs, `${gw}-hatd.log`), 'utf8')
        t.diagnostic(`${gw} daemon: ${log.split('\n').filter((l) => /replicat/.test(l)).length} replication log lines; last: ${log.trim().split('\n').pop()?.slice(0, 300)}`)
      }
      await sleep(15_000)
      t.diagnostic(`${COUNT - missing().length} on ${peer} ${Date.now() - burst.lastAckAt} ms after the last ACK`)
    }
    assert.deepEqual(left.map((c) => `${c.mac} ${c.ip}`), [], `not on ${peer} 5 s after the last ACK`)
    // The MASTER's own file holds them too (dnsmasq wrote them; the merge kept them).
    const own = leasesIn(lab.paths(master).dnsmasqLeases)
    assert.deepEqual(burst.clients.filter((c) => own.get(c.mac) !== c.ip).map((c) => c.mac), [])
  })
})
