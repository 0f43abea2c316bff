// The lab itself: up, one failover, down, nothing left behind (no namespace, no process).
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {ADDR, RUN, labSkipReason, leftovers, withLab} from './lab.js'

const alive = (pid: number) => {
  try { return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')) } catch { return false }
}

test('lab: up, a clean keepalived stop fails over, down leaves nothing behind', {timeout: 180_000}, async (t) => {
  const skip = labSkipReason()
  if (skip) { t.skip(skip); return }
  let pids: number[] = []
  // on the shipped configs (`ha-tool config example`), whose nftables ruleset filters the WAN's input: without
  // that, a stray server packet can draw a reset from the new MASTER's own stack and kill the flow (README "The lab")
  await withLab({mode: 'baseline'}, async (lab) => {
    pids = readdirSync(join(RUN, 'pids')).map((f) => Number(readFileSync(join(RUN, 'pids', f), 'utf8')))
    assert.ok(pids.length >= 10, `the lab tracks its processes by PID (${pids.length})`)

    // the setup of DESIGN.md section 1: one lease on both WANs, gw1 MASTER, gw2 BACKUP, client via the VIP
    const [v1, v2] = [lab.view('gw1'), lab.view('gw2')]
    assert.deepEqual([v1.vip, v1.wanRule, v1.wanAddr], [true, true, true], 'gw1: VIP, WAN rule, the lease')
    assert.deepEqual([v2.vip, v2.wanRule, v2.wanAddr], [false, false, true], 'gw2: same lease, no VIP, no rule')
    const rules = lab.exec('gw2', ['ip', 'rule', 'show']).stdout
    assert.match(rules, /32780:\s+from all iif lo lookup 240/, 'the table-240 fallback is for the node\'s own traffic only')
    assert.match(lab.exec('gw1', ['ip', 'route', 'show', 'table', '250']).stdout, /default via 198\.51\.100\.1 dev wan0/, 'networkd put the DHCP routes in table 250')
    // the shipped dnsmasq example's range: lan.address's /24 without the nodes and the VIP (.4-.254)
    const host = Number(/^192\.168\.1\.(\d+)$/.exec(lab.clientAddress() ?? '')?.[1])
    assert.ok(host >= 4 && host <= 254, `the client got a DHCP lease from a gateway's range (${lab.clientAddress()})`)
    const reach = lab.exec('client', ['ip', 'route', 'get', ADDR.remote]).stdout
    assert.match(reach, /via 192\.168\.1\.3/, 'the client routes through the VIP')

    const r = await lab.failover('stop', {settleMs: 1500})
    t.diagnostic(`failover stop: outage ${r.outageMs} ms, VIP ${r.vipMs} ms, rule ${r.ruleMs} ms, tcp ${r.tcpSurvived}`)
    assert.equal(r.from, 'gw1')
    assert.equal(r.tookOver, true, 'gw2 took over')
    assert.equal(lab.master(), 'gw2')
    assert.equal(r.recovered, true, 'the client reaches the ISP-side host again')
    assert.ok(r.outageMs !== null && r.outageMs < 1000, `outage ${r.outageMs} ms after a clean stop at advert_int 0.1`)
    assert.ok(r.vipMs !== null && r.ruleMs !== null && r.ruleMs >= r.vipMs, 'the rule follows the VIP on the new MASTER')
    assert.equal(r.tcpSurvived, true, `the TCP stream survived (${r.tcpError ?? ''})`)
    assert.equal(r.splitBrain.now, false, 'at most one node routes out the WAN')
    assert.equal(r.lease?.kept, true, `the client kept its lease (${JSON.stringify(r.lease)})`)

    await lab.restore('stop', 'gw1')
    assert.equal(lab.view('gw1').keepalived, true)
    assert.equal(lab.master(), 'gw2', 'nopreempt: the restored node stays BACKUP')
  })
  assert.deepEqual(leftovers(), {namespaces: [], pids: []}, 'no lab namespace and no process in one')
  assert.deepEqual(pids.filter(alive), [], 'every tracked process ended')
})
