// Split-brain after keepalived is SIGKILLed: keepalived cannot clean up, so the dead node keeps the VIP and
// the WAN rule while the peer takes over (both route out the WAN). Measured here for keepalived alone; the
// FIFO daemon, running as its own service, converges the orphaned node to STOP (its watchdog).
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {labSkipReason, withLab} from './lab.js'
import * as core from '../../scripts/lab.js'

test('keepalived alone: SIGKILL of the MASTER leaves its VIP and WAN rule behind (split-brain)', {timeout: 120_000}, async (t) => {
  const skip = labSkipReason()
  if (skip) { t.skip(skip); return }
  await withLab({mode: 'baseline'}, async (lab) => {
    const r = await lab.failover('kill', {settleMs: 1500, lease: false})
    t.diagnostic(`VIP on ${r.to} after ${r.vipMs} ms; both route out the WAN since ${r.splitBrain.windows[0]?.fromMs} ms`)
    assert.equal(r.tookOver, true, 'the peer took over')
    const dead = lab.view(r.from)
    assert.equal(dead.keepalived, false)
    assert.deepEqual([dead.vip, dead.wanRule, dead.wanUp], [true, true, true], 'the killed node still holds VIP, rule and WAN')
    assert.equal(r.splitBrain.now, true, 'both nodes route out the WAN')
    assert.deepEqual(r.splitBrain.wanActive.sort(), ['gw1', 'gw2'])
    assert.equal(r.splitBrain.windows.at(-1)?.open, true, 'the window is still open when the watch ends')
    await lab.restore('kill', r.from)
    assert.equal(lab.splitBrain().ok, true, 'restarting keepalived (after clearing its leftovers) ends it')
  })
})

test('ha-tool daemon (own service): its watchdog takes the WAN rule off a node whose keepalived died', {timeout: 120_000}, async (t) => {
  const skip = labSkipReason() ?? (core.haToolHas('daemon') ? undefined : 'ha-tool daemon is not built (node scripts/build.mjs)')
  if (skip) { t.skip(skip); return }
  await withLab({mode: 'fifo'}, async (lab) => {
    const r = await lab.failover('kill', {settleMs: 3000, lease: false})
    const dead = lab.view(r.from)
    t.diagnostic(`watchdog: old MASTER's rule gone ${r.oldRuleRemovedMs} ms after the kill; both routed out the WAN for ${r.splitBrain.windows.map((w) => w.durationMs).join('+') || 0} ms; the dead node still holds the VIP: ${dead.vip}`)
    assert.equal(r.tookOver, true, 'the peer took over')
    assert.equal(lab.running(`${r.from}-hatd`), true, 'the daemon outlived keepalived')
    assert.equal(dead.keepalived, false)
    assert.equal(dead.wanRule, false, 'the orphaned node no longer routes out the WAN')
    assert.ok(r.oldRuleRemovedMs !== null && r.oldRuleRemovedMs < 3000, `the watchdog acted within the watch (${r.oldRuleRemovedMs} ms)`)
    assert.equal(r.splitBrain.now, false, 'at most one node routes out the WAN')
    assert.ok(r.splitBrain.windows.every((w) => !w.open), 'no split-brain window left open')
    await lab.restore('kill', r.from)
    assert.equal(lab.splitBrain().ok, true)
  })
})

test('after the watchdog the LAN client gets through the new MASTER (the dead node must not keep the VIP)', {timeout: 120_000}, async (t) => {
  const skip = labSkipReason() ?? (core.haToolHas('daemon') ? undefined : 'ha-tool daemon is not built (node scripts/build.mjs)')
  if (skip) { t.skip(skip); return }
  await withLab({mode: 'fifo'}, async (lab) => {
    const r = await lab.failover('kill', {settleMs: 4000, lease: false})
    t.diagnostic(`client outage ${r.recovered ? r.outageMs + ' ms' : 'not recovered in 4 s'}; dead node holds the VIP: ${lab.view(r.from).vip}`)
    assert.equal(lab.view(r.from).vip, false, 'the dead node released the VIP')
    assert.equal(r.recovered, true, 'the client reaches the internet host again')
  })
})

// A node whose keepalived was killed still holds the VIP until something releases it. keepalived sets accept_local
// on its VMAC, so that node answered every gratuitous ARP of the new MASTER from the shared virtual MAC, and the
// answer taught the LAN switch the dead node's port again: the client lost the VIP until the next gratuitous ARP
// (~1 s) once the guard released it. The shipped nftables example drops such requests (table arp ha_tool_arp).
test('a dead node that still holds the VIP does not answer the new MASTER\'s gratuitous ARP (the LAN switch keeps the new port)', {timeout: 120_000}, async (t) => {
  const skip = labSkipReason()
  if (skip) { t.skip(skip); return }
  // notify scripts and no keepalived.service guard: nothing releases the dead node's VIP
  await withLab({mode: 'notify'}, async (lab) => {
    const r = await lab.failover('kill', {settleMs: 2500, lease: false})
    assert.equal(r.tookOver, true, 'the peer took over')
    assert.equal(lab.view(r.from).vip, true, 'the killed node still holds the VIP (no guard here)')
    const vmac = `00:00:5e:00:01:${core.VRID.toString(16).padStart(2, '0')}`
    const fdb = core.run(['bridge', 'fdb', 'show', 'br', 'lanbr'], {ns: core.NS.client}).stdout.split('\n').filter((l) => l.startsWith(vmac))
    t.diagnostic(`LAN switch: ${fdb.join(' | ')}`)
    // after at least two rounds of the new MASTER's gratuitous ARP (vrrp_garp_master_refresh 1)
    assert.deepEqual(fdb.map((l) => / dev (\S+)/.exec(l)?.[1]), [`lan-${r.to}`], 'the virtual MAC sits on the new MASTER\'s port')
  })
})
