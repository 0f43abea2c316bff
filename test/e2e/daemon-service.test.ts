// End to end: `ha-tool daemon` as its own service beside the real keepalived (vrrp_notify_fifo, no
// FIFO script, enable_dbus on a private bus per node). It converges at start-up to what keepalived
// reports over D-Bus, follows the FIFO across a keepalived restart, and its watchdog takes the WAN
// rule and the VIP away from a node whose keepalived was killed with SIGKILL (keepalived cannot clean up).
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {eventually, holdsVip, keepalivedPairSkipReason, type PairNode, withKeepalivedPair} from '../support/keepalived-pair.js'
import {ensureBuilt} from '../support/spawn.js'

const skip = keepalivedPairSkipReason()
const state = (n: PairNode) => { try { return JSON.parse(readFileSync(join(n.dir, 'state', 'state.json'), 'utf8')) as {role: string; source: string} } catch { return undefined } }
const show = (nodes: PairNode[]) => nodes.map((n) => `${n.ns}: reported ${n.reported().join(',')} state ${JSON.stringify(state(n))} rules ${n.wanRules()}`).join('\n')

describe('ha-tool daemon as its own service', {skip, timeout: 240_000}, () => {
  it('converges at start-up from keepalived over D-Bus, then follows the FIFO', async () => {
    ensureBuilt()
    await withKeepalivedPair('hat-t3-sd', {mode: 'service', dbus: true}, async ([a, b]) => {
      await a.startKeepalived()
      await b.startKeepalived()
      await a.startDaemon()
      await b.startDaemon()
      assert.ok(await eventually(() => a.wanRules() === 1 && state(a)?.role === 'MASTER' && state(b)?.role === 'BACKUP', 15_000), show([a, b]))
      // A daemon restart finds no new event in the FIFO; the rule went missing meanwhile.
      await a.stopDaemon()
      execFileSync('ip', ['-n', a.ns, 'rule', 'del', 'priority', '32770', 'lookup', '250'])
      assert.equal(a.wanRules(), 0)
      await a.startDaemon()
      assert.ok(await eventually(() => state(a)?.source === 'dbus' && state(a)?.role === 'MASTER' && a.wanRules() === 1, 10_000), `no start-up convergence from D-Bus:\n${show([a, b])}`)
      // Someone deletes the rule while the daemon runs: it notices (ip monitor) and puts it back.
      execFileSync('ip', ['-n', a.ns, 'rule', 'del', 'priority', '32770', 'lookup', '250'])
      assert.ok(await eventually(() => a.wanRules() === 1 && state(a)?.source === 'reconcile', 5_000), `no reconcile:\n${show([a, b])}`)
      // The IPv6 rule too (wan.ipv6, the default): ip monitor reports IPv6 rules, the reconcile puts it back.
      const rules6 = (n: PairNode) => (JSON.parse(execFileSync('ip', ['-n', n.ns, '-6', '-j', 'rule', 'show'], {encoding: 'utf8'})) as Array<{priority: number; table: string; src?: string}>).filter((r) => r.priority === 32770 && r.table === '250' && r.src === 'all').length
      assert.equal(rules6(a), 1, 'the MASTER has the IPv6 WAN rule')
      assert.equal(rules6(b), 0, 'the BACKUP has no IPv6 WAN rule')
      execFileSync('ip', ['-n', a.ns, '-6', 'rule', 'del', 'priority', '32770', 'lookup', '250'])
      assert.ok(await eventually(() => rules6(a) === 1, 5_000), `the IPv6 rule was not put back:\n${show([a, b])}`)
      await a.stopKeepalived()
      assert.ok(await eventually(() => b.wanRules() === 1 && state(b)?.source === 'fifo' && a.wanRules() === 0 && state(a)?.role === 'STOP', 10_000), show([a, b]))
      // keepalived comes back (it recreates its FIFO): the daemon reopens it and follows again. The shipped
      // keepalived.conf has nopreempt: the returning node stays BACKUP although its priority is higher.
      await a.startKeepalived()
      assert.ok(await eventually(() => a.reported().at(-1) === 'BACKUP' && state(a)?.role === 'BACKUP' && state(a)?.source === 'fifo' && a.wanRules() === 0, 15_000), show([a, b]))
      assert.ok(await eventually(() => b.wanRules() === 1 && state(b)?.role === 'MASTER', 10_000), show([a, b]))
    })
  })

  it('the watchdog takes the WAN rule and the VIP from a node whose keepalived was killed (kill -9)', async () => {
    await withKeepalivedPair('hat-t3-sw', {mode: 'service'}, async ([a, b]) => {
      await a.startKeepalived()
      await b.startKeepalived()
      await a.startDaemon()
      await b.startDaemon()
      // keepalived.dbus is off here: the daemons learn the roles from the FIFO only.
      assert.ok(await eventually(() => a.wanRules() === 1 && b.wanRules() === 0, 15_000), show([a, b]))
      await a.stopKeepalived('SIGKILL')
      assert.ok(await eventually(() => b.wanRules() === 1, 10_000), `the peer never took over:\n${show([a, b])}`)
      assert.ok(await eventually(() => a.wanRules() === 0 && state(a)?.source === 'watchdog' && state(a)?.role === 'STOP', 10_000), `the killed node kept routing out the WAN:\n${show([a, b])}`)
      // keepalived left its VIP behind; the watchdog released it, so LAN clients go to the new MASTER.
      assert.ok(await eventually(() => !holdsVip(a), 5_000), `the killed node still holds the VIP:\n${show([a, b])}`)
      assert.ok(holdsVip(b), 'the new MASTER holds the VIP')
    })
  })

  it('the watchdog needs no right paths: wrong pidfile and keepalived.conf, it acts on the FIFO closing, before the peer takes over', async () => {
    await withKeepalivedPair('hat-t3-sp', {mode: 'service', keepalivedPaths: {config: '/nonexistent/keepalived.conf', pidfile: '/nonexistent/keepalived.pid'}}, async ([a, b]) => {
      await a.startKeepalived()
      await b.startKeepalived()
      await a.startDaemon()
      await b.startDaemon()
      assert.ok(await eventually(() => a.wanRules() === 1 && b.wanRules() === 0, 15_000), show([a, b]))
      const killed = Date.now()
      await a.stopKeepalived('SIGKILL')
      let released = 0
      let takeover = 0
      const gone = await eventually(() => {
        if (!released && a.wanRules() === 0) released = Date.now() - killed
        if (!takeover && b.wanRules() === 1) takeover = Date.now() - killed
        return released > 0 && takeover > 0
      }, 10_000, 5)
      assert.ok(gone, `killed node rule released: ${released} ms, peer took over: ${takeover} ms\n${show([a, b])}`)
      assert.equal(state(a)?.source, 'watchdog')
      // Sampled every few ms in this process beside the test's namespaces: generous, but far below the old 500 ms poll + luck.
      assert.ok(released < 400, `released ${released} ms after the kill (peer took over after ${takeover} ms)`)
      process.stderr.write(`# kill -9: rule released after ${released} ms, peer rule after ${takeover} ms\n`)
      // keepalived.conf is unreadable here: the VIP and its VMAC (vrrp.51) are found in the kernel; the step says so.
      const log = readFileSync(join(a.dir, 'ha-tool.log'), 'utf8')
      assert.match(log, /releasing keepalived's VMAC interfaces/)
      assert.ok(await eventually(() => !holdsVip(a), 5_000), `the killed node still holds the VIP:\n${show([a, b])}`)
    })
  })
})
