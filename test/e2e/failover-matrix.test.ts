// The failover matrix of issue 14 on what users install: the lab's daemons run the configs `ha-tool config
// example` prints, ha-tool is the tree `scripts/install --destdir` lays down (test/e2e/lab.ts), the shipped
// keepalived.service drop-in runs when keepalived ends (as systemd would), conntrackd syncs the flows and
// nf_conntrack_tcp_loose=0, so a flow the new MASTER's conntrack does not know is dropped, not picked up.
// One run per cell here (CI time); `npm run bench -- failover` runs >= 5 per cell beside keepalived alone.
//
// For every event (keepalived stopped, keepalived SIGKILLed, the LAN cable pulled, the node powered off) and
// both ways ha-tool hears of it (the FIFO daemon, notify scripts): the peer takes over, the client's ping and
// TCP stream survive, and no two nodes route out the WAN at the same time (node-down excepted: the dead node
// has no carrier). kill -9 costs the client no more than the issue's budget (1 s).
import assert from 'node:assert/strict'
import {test} from 'node:test'
import * as core from '../../scripts/lab.js'
import {type FailoverKind, type FailoverResult, KINDS, labSkipReason, withLab} from './lab.js'

const KILL_BUDGET_MS = 1000
// a clean event at advert_int 0.1 hands over in ~0.1-0.4 s; anything near this is a regression, not load
const OUTAGE_MS = 3000

function summary(r: FailoverResult): string {
  const both = r.splitBrain.windows.map((w) => `${w.durationMs} ms at ${w.fromMs}${w.open ? ' (open)' : ''}`).join(', ') || 'none'
  return `${r.kind} ${r.from}->${r.to}: outage ${r.outageMs} ms, VIP ${r.vipMs} ms, rule ${r.ruleMs} ms, old rule gone ${r.oldRuleRemovedMs} ms, TCP ${r.tcpSurvived ? `ok (stall ${r.tcpStallMs} ms)` : `LOST ${r.tcpError ?? ''}`}, both on the WAN: ${both}`
}

for (const mode of ['fifo', 'notify'] as const) {
  test(`failover matrix, ${mode} mode, shipped configs and installed ha-tool: ${KINDS.join(', ')}`, {timeout: 240_000}, async (t) => {
    const skip = labSkipReason() ?? (core.haToolHas(mode === 'fifo' ? 'daemon' : 'notify') ? undefined : 'ha-tool is not built (npm run build)')
    if (skip) { t.skip(skip); return }
    await withLab({mode, tcpLoose: 0, conntrackd: true, keepalivedGuard: true}, async (lab) => {
      assert.match(lab.bin(), /\/install\/usr\/sbin\/ha-tool$|^\/usr\/sbin\/ha-tool$/, `the lab runs an installed ha-tool (${lab.bin()})`)
      for (const gw of ['gw1', 'gw2'] as const) {
        assert.equal(lab.exec(gw, ['sysctl', '-n', 'net.netfilter.nf_conntrack_tcp_loose']).stdout.trim(), '0', `${gw}: tcp_loose 0`)
      }
      const results: FailoverResult[] = []
      for (const kind of KINDS as FailoverKind[]) {
        const r = await lab.failover(kind, {settleMs: 2000, lease: false, restoreAfter: true})
        results.push(r)
        t.diagnostic(summary(r))
      }
      for (const r of results) {
        const what = `${mode} ${r.kind}: ${summary(r)}`
        assert.equal(r.tookOver, true, `${what}: the peer took over`)
        assert.equal(r.recovered, true, `${what}: the client reaches the internet host again`)
        assert.ok(r.outageMs !== null && r.outageMs < OUTAGE_MS, `${what}: client outage under ${OUTAGE_MS} ms`)
        assert.equal(r.tcpSurvived, true, `${what}: the TCP stream survived (conntrackd, tcp_loose 0)`)
        assert.equal(r.splitBrain.now, false, `${what}: one node routes out the WAN when the watch ends`)
        if (r.kind !== 'node') assert.deepEqual(r.splitBrain.windows, [], `${what}: never two nodes on the WAN`)
        if (r.kind === 'kill') assert.ok(r.outageMs !== null && r.outageMs <= KILL_BUDGET_MS, `${what}: kill -9 within ${KILL_BUDGET_MS} ms`)
        assert.equal(r.restoredTookOver, false, `${what}: the restored node came back as BACKUP (nopreempt)`)
      }
    })
  })
}
