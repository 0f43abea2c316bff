// Issue 16's lab test (2) on what ships: the lab with the peer port (`scripts/lab up --peer`: the shipped configs
// from `ha-tool config example`, the installed ha-tool, dnsmasq's dhcp-script = the shipped wrapper, sshd with the
// forced-command key, each node's `ha-tool daemon` holding the channel). Both gateways serve, each from its half of
// the range (the lab's dnsmasq.stop_on_backup = false). 200 DHCP clients (dhcp-burst.mjs: real
// DISCOVER/OFFER/REQUEST/ACK, each taking the first OFFER) within 10 s: every lease must be in the other gateway's
// lease file, the same address for the same MAC, within 5 s of the last ACK.
// The mechanism switched off (HAT_LEASES_NO_DAEMON=1 stops both daemons first: each of dnsmasq's hook runs, one at
// a time, then pushes over its own ssh connection) makes it fail: 33 of 200 after 5 s, 112 after 36 s.
// History (2026-12-06, 200 ACKs in 8.0 s, 2 cores shared with other work):
// - the daemon ran no replicator in the lab (dnsmasq.enabled = false there): 15-17 leases on the peer after 5 s;
// - the replicator runs whatever dnsmasq.enabled says: 146;
// - the peer's dnsmasq no longer echoes received leases back (core/leases/echo.ts): 167-179, all 200 later. Left:
//   dnsmasq runs its dhcp-script serially, one ha-tool (Node) start per lease, on both nodes;
// - the daemon reads dnsmasq's changes from the lease file (app/leases/lease-watch.ts) and the shipped wrapper exits
//   at once while it does (no Node start per lease): all 200 on the other gateway 0.88-2.0 s after the last ACK
//   (6 runs: 2013, 881, 895, 944, 1357, 1162 ms; about half the clients from each gateway; the 881 with
//   NODE_EXTRA_CA_CERTS set, the others without, as CI runs).
// - (2026-12-07) it then failed about 1 run in 3. Two causes, both fixed. (1) A daemon whose lease-file watch
//   started during the burst took the file as its start without sending it, while dnsmasq, which runs its script one
//   lease at a time, had not yet run the hook for the newest lease (that run then exited at the watch's pid file):
//   the lease never left (burst005 in the log of the run that found it). The first read now sends the file once.
//   (2) AddDhcpLease takes a duration that dnsmasq adds to its own clock, so an injection that crossed a second
//   stored the expiry a second later; that went back as a renewal, and the two nodes bounced leases (17 of gw2's 107
//   injections came back in that run). Injections now keep the expiry (app/leases/dbus-inject.ts), and an echo may
//   differ by a few seconds of expiry (core/leases/echo.ts).
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {ADDR, labSkipReason, ROOT, NS, sleep, withLab} from '../lab.js'
import {existsSync} from 'node:fs'
import {spawnSync} from 'node:child_process'
import {leasesByMac as leasesIn} from '../../support/lease-file.js'

const COUNT = 200

test(`lab --peer: ${COUNT} DHCP clients within 10 s, every lease on the other gateway within 5 s of the last`, {timeout: 300_000}, async (t) => {
  const skip = labSkipReason() ?? (existsSync('/usr/sbin/sshd') ? undefined : 'the peer port needs sshd (openssh-server: scripts/install-system-deps)')
  if (skip) { t.skip(skip); return }
  await withLab({mode: 'fifo', peer: true}, async (lab) => {
    const master = lab.master()
    assert.ok(master, 'one MASTER')
    const gws = [master, lab.other(master)]
    // The burst client needs the client's port 68: the lab's dhclient goes.
    await lab.stop('client-dhclient')
    // The mechanism switched off: no daemon, so every lease change is one `ha-tool leases hook` run
    // (dnsmasq runs them one at a time), each pushing over its own ssh connection.
    if (process.env.HAT_LEASES_NO_DAEMON) for (const gw of gws) assert.ok(await lab.stop(`${gw}-hatd`), `${gw}'s daemon stopped (mechanism off)`)
    // Both gateways serve (dnsmasq.stop_on_backup = false), each from its half of the range: a client
    // takes the first OFFER, from either.
    const serverOf = new Map<string, string>([[ADDR.lan.gw1, 'gw1'], [ADDR.lan.gw2, 'gw2'], [ADDR.vip, master]])
    const r = spawnSync('ip', ['netns', 'exec', NS.client, process.execPath, join(ROOT, 'test/e2e/leases/dhcp-burst.mjs'), String(COUNT), '8000', [...serverOf.keys()].join(',')], {encoding: 'utf8', timeout: 60_000})
    assert.equal(r.status, 0, r.stderr)
    const burst = JSON.parse(r.stdout) as {clients: Array<{mac: string; ip: string; server: string; ackAt: number}>; failed: Array<{mac: string; why: string}>; naks: Array<{mac: string; ip: string}>; firstAt: number; lastAckAt: number}
    // A NAK (CI saw one in 200 once, 192.168.1.23 from the MASTER's own half; likely one address offered to two
    // clients at once, the lab's dnsmasq runs with --no-ping): that client starts over, as a real one does.
    if (burst.naks.length > 0) t.diagnostic(`NAKs (the client started over): ${burst.naks.map((n) => `${n.mac} ${n.ip}`).join(', ')}`)
    assert.deepEqual(burst.failed, [], 'every client got an ACK')
    assert.equal(burst.clients.length, COUNT)
    assert.ok(burst.lastAckAt - burst.firstAt <= 10_000, `${COUNT} clients in ${burst.lastAckAt - burst.firstAt} ms`)
    const by = (c: {server: string}) => serverOf.get(c.server) as typeof master
    const otherOf = (gw: typeof master) => (gw === gws[0] ? gws[1] : gws[0])
    const missing = () => {
      const there = new Map(gws.map((gw) => [gw, leasesIn(lab.paths(gw).dnsmasqLeases)]))
      return burst.clients.filter((c) => there.get(otherOf(by(c)))!.get(c.mac) !== c.ip)
    }
    let left = missing()
    while (left.length > 0 && Date.now() - burst.lastAckAt < 5000) {
      await sleep(50)
      left = missing()
    }
    const after = Date.now() - burst.lastAckAt
    const granted = gws.map((gw) => `${gw} ${burst.clients.filter((c) => by(c) === gw).length}`).join(', ')
    t.diagnostic(`${COUNT} ACKs (${granted}; ${master} MASTER) in ${burst.lastAckAt - burst.firstAt} ms; on the other gateway ${left.length === 0 ? `all, ${after} ms after the last ACK` : `${COUNT - left.length} after ${after} ms`}`)
    if (left.length > 0) {
      // Where the changes are: still queued, or not yet seen.
      for (const gw of gws) {
        const s = JSON.parse(lab.haTool(gw, ['status', '--json']).stdout) as {leases?: {replication?: unknown}}
        t.diagnostic(`${gw} replication: ${JSON.stringify(s.leases?.replication)}`)
        const log = readFileSync(join(lab.paths(gw).logs, `${gw}-hatd.log`), 'utf8')
        t.diagnostic(`${gw} daemon: ${log.split('\n').filter((l) => /replicat|lease watch/.test(l)).length} replication log lines; last: ${log.trim().split('\n').pop()?.slice(0, 300)}`)
      }
      const t0 = Date.now()
      while (missing().length > 0 && Date.now() - t0 < 30_000) await sleep(100)
      t.diagnostic(`${COUNT - missing().length} on the other gateway ${Date.now() - burst.lastAckAt} ms after the last ACK`)
    }
    assert.deepEqual(left.map((c) => `${c.mac} ${c.ip} from ${by(c)}`), [], 'not on the other gateway 5 s after the last ACK')
    // Both daemons read the changes from the lease file (status says so), none through a hook per lease.
    if (!process.env.HAT_LEASES_NO_DAEMON) {
      for (const gw of gws) {
        const s = JSON.parse(lab.haTool(gw, ['status', '--json']).stdout) as {leases?: {replication?: {changesFrom?: string}}}
        assert.equal(s.leases?.replication?.changesFrom, 'lease-file', `${gw}: status says where the lease changes come from`)
      }
    }
    // The granting gateway's own file holds them too (dnsmasq wrote them; nothing the peer sent undid them).
    const own = new Map(gws.map((gw) => [gw, leasesIn(lab.paths(gw).dnsmasqLeases)]))
    assert.deepEqual(burst.clients.filter((c) => own.get(by(c))!.get(c.mac) !== c.ip).map((c) => c.mac), [])
  })
})
