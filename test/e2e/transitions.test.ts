// End to end: two real keepalived instances (VRRPv3, advert_int 0.1) drive ha-tool, once through
// notify scripts and once through `ha-tool daemon` on the notify FIFO. Stopping the MASTER moves the
// WAN rule (and, when configured, the WAN link) to the other node; a burst of flaps ends with each
// node in the state keepalived reported last.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {eventually, keepalivedPairSkipReason, type PairMode, type PairNode, withKeepalivedPair} from '../support/keepalived-pair.js'
import {ensureBuilt} from '../support/spawn.js'

const skip = keepalivedPairSkipReason()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const last = (n: PairNode) => n.reported().at(-1)
const show = (nodes: PairNode[]) => nodes.map((n) => `${n.ns}: reported ${n.reported().join(',')} applied ${n.applied()} rules ${n.wanRules()}`).join('\n')

/** Waits until keepalived has been quiet for `quietMs`, then until ha-tool caught up with it. */
async function settled(nodes: PairNode[], quietMs = 1500, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  let seen = nodes.map((n) => n.reported().length).join()
  let since = Date.now()
  while (Date.now() < deadline) {
    await sleep(100)
    const now = nodes.map((n) => n.reported().length).join()
    if (now !== seen) { seen = now; since = Date.now(); continue }
    if (Date.now() - since >= quietMs && nodes.every((n) => n.applied() === last(n))) return true
  }
  return false
}

for (const mode of ['notify', 'fifo'] as PairMode[]) {
  describe(`keepalived + ha-tool (${mode === 'notify' ? 'notify scripts' : 'notify FIFO daemon'})`, {skip, timeout: 240_000}, () => {
    it('stopping the MASTER moves the WAN rule to the other node', async () => {
      ensureBuilt()
      await withKeepalivedPair(`hat-t3-${mode === 'notify' ? 'kn' : 'kf'}`, {mode}, async ([a, b]) => {
        await a.startKeepalived()
        await b.startKeepalived()
        assert.ok(await eventually(() => last(a) === 'MASTER' && a.applied() === 'MASTER' && a.wanRules() === 1, 15_000), show([a, b]))
        assert.ok(await eventually(() => b.applied() === 'BACKUP' && b.wanRules() === 0, 10_000), show([a, b]))
        await a.stopKeepalived()
        assert.ok(await eventually(() => b.wanRules() === 1 && b.applied() === 'MASTER', 10_000), show([a, b]))
        assert.ok(await eventually(() => a.wanRules() === 0 && a.applied() === 'STOP', 10_000), show([a, b]))
        // keepalived itself started the daemon with the FIFO: it knows it is keepalived's child.
        if (mode === 'fifo') assert.match(readFileSync(join(a.dir, 'ha-tool.log'), 'utf8'), /"mode":"child"[^\n]*"daemon started"/)
      })
    })

    it('a burst of flaps ends with each node in the state keepalived reported last', async () => {
      await withKeepalivedPair(`hat-t3-${mode === 'notify' ? 'fn' : 'ff'}`, {mode}, async ([a, b]) => {
        await a.startKeepalived()
        await b.startKeepalived()
        assert.ok(await eventually(() => a.applied() === 'MASTER' && b.applied() === 'BACKUP', 15_000), show([a, b]))
        for (let round = 0; round < 3; round++) {
          for (let i = 0; i < 12; i++) {
            a.setTrack(i % 2 === 0 ? 1 : 0)
            await sleep(Math.floor(Math.random() * 250))
          }
          a.setTrack(round % 2) // end rounds in different states: FAULT, then healthy, then FAULT
          assert.ok(await settled([a, b]), `round ${round} never settled:\n${show([a, b])}`)
          for (const n of [a, b]) {
            assert.equal(n.applied(), last(n), `round ${round}, ${n.ns}:\n${show([a, b])}`)
            assert.equal(n.wanRules(), last(n) === 'MASTER' ? 1 : 0, `round ${round}, ${n.ns} rules:\n${show([a, b])}`)
          }
          assert.equal([a, b].filter((n) => n.wanRules() > 0).length, 1, 'exactly one node routes out the WAN')
        }
        assert.ok(a.reported().length >= 10, `keepalived hardly flapped: ${a.reported().join(',')}`)
      })
    })
  })
}

describe('keepalived + ha-tool with the WAN link down on BACKUP', {skip, timeout: 120_000}, () => {
  it('stopping the MASTER moves the WAN link and the rule', async () => {
    // No DHCP client here, so the table-250 route that the kernel drops with the link does not come
    // back: the MASTER transition reports that (exit 3) but still brings the link up and adds the rule.
    await withKeepalivedPair('hat-t3-kl', {mode: 'notify', haToolExtra: 'link = "down-on-backup"\nup_timeout_ms = 300'}, async ([a, b]) => {
      await a.startKeepalived()
      await b.startKeepalived()
      assert.ok(await eventually(() => a.applied() === 'MASTER' && a.wanUp() && b.applied() === 'BACKUP' && !b.wanUp(), 15_000), show([a, b]))
      await a.stopKeepalived()
      assert.ok(await eventually(() => b.wanUp() && b.wanRules() === 1 && !a.wanUp() && a.wanRules() === 0, 10_000), show([a, b]))
    })
  })
})
