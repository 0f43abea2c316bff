// End to end: two real keepalived instances in namespaces of their own, each on the keepalived.conf that
// `ha-tool config example keepalived` prints from its node's ha-tool config (fifo mode: track_file at
// weight 0, nopreempt, use_vmac), and `ha-tool daemon` as its own service, whose health monitor writes
// that track_file. The monitor probes as shipped (via auto = wan): the MASTER out of its own WAN, a
// BACKUP not at all (its WAN is silenced: "standby", healthy). MASTER moves when the MASTER's monitor
// finds its target gone and on `ha-tool maintenance on`; after `maintenance off` the node is eligible
// again and, with nopreempt, stays BACKUP until the next failover. Namespaces hat-h5-e*; traffic only between them. (The pair runs keepalived without
// real-time priority: under load, a real-time VRRP child that runs past RLIMIT_RTTIME is SIGKILLed and
// respawns as BACKUP, and the higher-priority peer takes MASTER against nopreempt; seen in CI.)
//
//   a (prio 150)  lan0 10.99.0.1 ====== lan0 10.99.0.2  b (prio 100)         VIP 10.99.0.254
//        wan0 198.51.100.10                 wan0 198.51.100.10
//          |                                   |
//   upstream u1: isp0 .1 and .7          upstream u2: isp0 .1 and .7    (.7: each node's health target)
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {eventually, holdsVip, keepalivedPairSkipReason, PAIR_TARGET, type PairNode, withKeepalivedPair} from '../support/keepalived-pair.js'
import {BIN, cleanEnv, ensureBuilt, hasProgram} from '../support/spawn.js'

const skip = keepalivedPairSkipReason() ?? (!hasProgram('ping') ? 'ping is not installed' : undefined)

const HEALTH = `[health]
targets = ["${PAIR_TARGET}", "icmp://${PAIR_TARGET}"]
min_ok = 1
interval_ms = 200
timeout_ms = 150
rise = 2
fall = 2
`

test('keepalived follows the track_file written by the daemon\'s health monitor and by maintenance', {skip, timeout: 180_000}, async () => {
  ensureBuilt()
  await withKeepalivedPair(`hat-h5-e${process.pid % 10000}`, {mode: 'service', upstream: true, haToolSections: HEALTH}, async ([a, b]) => {
    const track = (n: PairNode) => readFileSync(join(n.dir, 'state', 'track'), 'utf8')
    const role = (n: PairNode) => n.reported().at(-1) ?? ''
    const other = (n: PairNode) => (n === a ? b : a)
    // Reported at some point since the last mark (a FAULT may be short: out of MASTER the monitor is standby).
    const marks = new Map<PairNode, number>()
    const mark = () => { for (const x of [a, b]) marks.set(x, x.reported().length) }
    const reportedSince = (x: PairNode, st: string) => x.reported().slice(marks.get(x) ?? 0).includes(st)
    // MASTER is judged by the VIP and what keepalived reported (its own notify_fifo, in order).
    const master = (n: PairNode) => holdsVip(n) && !holdsVip(other(n)) && role(n) === 'MASTER'
    const show = () => [a, b].map((n) => `${n.ns}: ${n.reported().join(',')} vip=${holdsVip(n)} track=${track(n).trim()} rules=${n.wanRules()}`).join('; ')
    const waitFor = async (what: string, ok: () => boolean, ms = 15_000) => assert.ok(await eventually(ok, ms), `timed out after ${ms} ms waiting for ${what}: ${show()}`)
    const holds = async (what: string, ok: () => boolean, ms: number) => {
      const until = Date.now() + ms
      while (Date.now() < until) { assert.ok(ok(), `${what}: ${show()}`); await new Promise((r) => setTimeout(r, 50)) }
    }
    const maintenance = (n: PairNode, on: boolean) => execFileSync('ip', ['netns', 'exec', n.ns, process.execPath, BIN, 'maintenance', on ? 'on' : 'off', '--config', n.config], {encoding: 'utf8', env: cleanEnv()})
    const target = (n: PairNode, up: boolean) => execFileSync('ip', ['-n', n.upstream!, 'addr', up ? 'add' : 'del', `${PAIR_TARGET}/24`, 'dev', 'isp0'])

    await a.startKeepalived()
    await b.startKeepalived()
    await a.startDaemon()
    await b.startDaemon()
    await waitFor('a (higher priority) MASTER with the WAN rule, b BACKUP', () => master(a) && role(b) === 'BACKUP' && a.wanRules() === 1 && b.wanRules() === 0)

    // 1. maintenance on the MASTER: FAULT at once, the peer takes over.
    assert.match(maintenance(a, true), /^maintenance on: /)
    assert.equal(track(a), '2\n')
    await waitFor('maintenance on: a FAULT, b MASTER', () => role(a) === 'FAULT' && master(b))

    // 2. maintenance off: eligible again (BACKUP), and with nopreempt it stays BACKUP despite priority 150 > 100.
    assert.match(maintenance(a, false), /eligible again/)
    await waitFor('maintenance off: a BACKUP', () => role(a) === 'BACKUP')
    await holds('nopreempt: a stays BACKUP, b stays MASTER', () => role(a) === 'BACKUP' && master(b), 2500)

    // 3. ... until the next failover: the MASTER b's health target goes (its WAN carrier stays, no maintenance),
    // its monitor writes 1 and keepalived puts b in FAULT, a takes over. (Out of MASTER, b's monitor is standby
    // again and writes 0 within a cycle, too quickly to sample the 1 reliably: b returns as BACKUP.)
    mark()
    target(b, false)
    await waitFor('b unhealthy: b FAULT, a MASTER', () => reportedSince(b, 'FAULT') && master(a))
    target(b, true)
    await waitFor('b healthy again: BACKUP, track_file 0', () => role(b) === 'BACKUP' && track(b) === '0\n')
    await holds('a stays MASTER', () => master(a), 1000)

    // 4. The MASTER's own health target goes: MASTER moves to b, and the WAN rule with it.
    mark()
    target(a, false)
    await waitFor('a unhealthy: a FAULT, b MASTER', () => reportedSince(a, 'FAULT') && master(b))
    target(a, true)
    await waitFor('a healthy again: BACKUP, b still MASTER with the only WAN rule', () => role(a) === 'BACKUP' && master(b) && b.wanRules() === 1 && a.wanRules() === 0)
  })
})
