// A keep-up node silenced as BACKUP: networkd's DHCPv6 client backs its Solicits off while the silence
// drops them (1, 2, 4 ... s, up to SOL_MAX_RT), so after a while its next Solicit is far away. When it
// becomes MASTER without a delegated prefix, ha-tool restarts its DHCP clients (networkd ReconfigureLink)
// and the prefix comes within seconds instead of at that next Solicit. The real networkd 252 and Kea
// (test/support/pd-lab.ts), two cases side by side:
// - no lease at all (silenced since networkd started): the renew step itself reconfigures, before wait.wan;
// - an IPv4 lease still held but the delegation expired while silenced (Kea's short lifetimes): dhcp.restart,
//   last in the plan, after the rules; the IPv4 lease is then taken again (measured below).
import assert from 'node:assert/strict'
import {setTimeout as sleep} from 'node:timers/promises'
import {describe, it, type TestContext} from 'node:test'
import {type PdGateway, pdLabSkipReason, withPdLab} from '../../support/pd-lab.js'
import {ensureBuilt} from '../../support/spawn.js'

const skip = pdLabSkipReason()
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]
/** The next Solicit must be at least this far away when the node becomes MASTER, or the test proves nothing. */
const FAR_MS = 20_000
/** And the prefix must come within this after `notify master` starts. */
const WITHIN_MS = 10_000

type Notify = {exit: number; steps: Array<{kind: string; status: string; detail?: string; error?: string}>}

/** "1min 4s", "32s", "500ms" (systemd's timespan) -> ms. */
function timespanMs(text: string): number {
  let ms = 0
  for (const m of text.matchAll(/([\d.]+)(min|ms|s)/g)) ms += Number(m[1]) * (m[2] === 'min' ? 60_000 : m[2] === 's' ? 1000 : 1)
  return ms
}

/**
 * Watches networkd's debug log until a Solicit is followed by a retransmission time of at least minMs, and
 * returns when (by this clock) that Solicit was seen and how long networkd said it would wait.
 */
async function farSolicit(gw: PdGateway, minMs: number, timeoutMs: number): Promise<{at: number; nextMs: number; count: number}> {
  let seen = 0
  let at = 0
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    const log = gw.networkdLog()
    const parts = log.split(/DHCPv6 client: Sent Solicit/)
    if (parts.length - 1 !== seen) { seen = parts.length - 1; at = Date.now() }
    const next = seen > 0 ? /DHCPv6 client: Next retransmission in ([^\n.]+)/.exec(parts.at(-1)!)?.[1] : undefined
    if (next && timespanMs(next) >= minMs) return {at, nextMs: timespanMs(next), count: seen}
  }
  throw new Error(`${gw.ns}: no Solicit with a retransmission of ${minMs} ms or more within ${timeoutMs} ms:\n${gw.networkdLog().split('\n').filter((l) => /DHCPv6/.test(l)).slice(-10).join('\n')}`)
}

/** Becomes MASTER once the next Solicit is more than FAR_MS away; the delegation must come within WITHIN_MS. */
async function takeOver(t: TestContext, gw: PdGateway, silencedAt: number): Promise<Notify> {
  // A Solicit whose retransmission is >= FAR_MS + 5 s (about the 6th: RT doubles from 1 s, +-10 %), then a moment more.
  const far = await farSolicit(gw, FAR_MS + 5000, 75_000)
  await sleep(pick([500, 1500, 2500]))
  const away = far.at + far.nextMs - Date.now()
  assert.ok(away > FAR_MS, `the next Solicit is only ${away} ms away`)
  const started = Date.now()
  const r = gw.haTool(['notify', '--config', gw.config, '--json', 'master'])
  const notifyMs = Date.now() - started
  const json = JSON.parse(r.stdout) as Notify
  assert.equal(r.code, 0, r.stdout + r.stderr)
  // The delegation, and how long table 250 was without its IPv4 default route (a ReconfigureLink drops it):
  // polled until both the prefix is there and the route is, or WITHIN_MS.
  let gone: number | undefined
  let back: number | undefined
  let d = gw.delegation()
  let prefixMs = d ? Date.now() - started : undefined
  for (;;) {
    if (!d && (d = gw.delegation())) prefixMs = Date.now() - started
    const has4 = defaultRoute4(gw)
    if (!has4) gone ??= Date.now()
    else if (gone !== undefined) back ??= Date.now()
    if ((d && has4) || Date.now() - started > WITHIN_MS) break
    await sleep(50)
  }
  assert.ok(d, `no delegated prefix within ${WITHIN_MS} ms of notify master (its next Solicit was ${away} ms away); plan: ${json.steps.map((s) => `${s.kind} ${s.detail ?? ''}`).join('; ')}`)
  t.diagnostic(`silenced ${Math.round((started - silencedAt) / 1000)} s (${far.count} Solicits dropped, the next ${Math.round(away / 1000)} s away); notify master ${notifyMs} ms: ${json.steps.map((s) => `${s.kind}${s.detail ? ` (${s.detail})` : ''}`).join(', ')}; ${d.prefix} within ${prefixMs} ms of its start; IPv4 default route in table 250 ${gone === undefined ? 'never missing after notify returned' : back === undefined ? 'gone and not back' : `missing for ${back - gone} ms`}`)
  return json
}

/** Table 250 (wan.table) has the IPv4 default route; `ip` fails while the table does not exist (no lease yet). */
function defaultRoute4(gw: PdGateway): boolean {
  try { return /^default via/m.test(gw.ip('-4', 'route', 'show', 'table', '250')) } catch { return false }
}

describe('keep-up: a MASTER that holds no delegated prefix restarts its DHCP clients', {skip, timeout: 150_000, concurrency: 2}, () => {
  it('silenced since networkd started (no lease at all): the renew step reconfigures before wait.wan, the prefix comes within seconds', async (t) => {
    ensureBuilt()
    await withPdLab('hat-pdr', {pool: `2001:db8:${pick(['100', '5a00'])}::/48`, delegatedLength: pick([56, 60]), link: 'keep-up', startNetworkd: false, wan: 'up_timeout_ms = 20000\nrenew = "networkd"'}, async (lab) => {
      const gw = lab.gateways[0]
      const b = gw.haTool(['notify', '--config', gw.config, 'backup'])
      assert.equal(b.code, 0, b.stderr)
      await gw.startNetworkd()
      const silencedAt = Date.now()
      const m = await takeOver(t, gw, silencedAt)
      assert.deepEqual(m.steps.map((s) => s.kind).filter((k) => k !== 'rule.add'), ['silence.lift', 'renew', 'wait.wan'])
      assert.match(m.steps[1].detail ?? '', /ReconfigureLink/)
      // Converged: a repeated MASTER event with the prefix present does nothing.
      const again = JSON.parse(gw.haTool(['notify', '--config', gw.config, '--json', 'master']).stdout) as Notify
      assert.deepEqual(again.steps, [])
    })
  })

  it('an IPv4 lease held, the delegation expired while silenced: dhcp.restart after the rules, the prefix comes within seconds', async (t) => {
    ensureBuilt()
    // Kea's lifetimes short, so the delegation runs out while silenced; dnsmasq's DHCPv4 lease (2 min) does not.
    const timers = {renew: 3, rebind: 5, preferred: 8, valid: pick([10, 12])}
    await withPdLab('hat-pds', {pool: `2001:db8:${pick(['200', 'c00'])}::/48`, delegatedLength: 56, timers, link: 'keep-up', wan: 'up_timeout_ms = 20000\nrenew = "networkd"'}, async (lab) => {
      const gw = lab.gateways[0]
      const first = await gw.waitDelegation(20_000)
      for (let i = 0; i < 100 && !defaultRoute4(gw); i++) await sleep(100)
      assert.ok(defaultRoute4(gw), 'no IPv4 lease before the silence')
      const b = gw.haTool(['notify', '--config', gw.config, 'backup'])
      assert.equal(b.code, 0, b.stderr)
      const silencedAt = Date.now()
      for (let i = 0; i < 300 && gw.delegation(); i++) await sleep(100)
      assert.equal(gw.delegation(), undefined, `${first.prefix} outlived its valid lifetime (${timers.valid} s) while silenced`)
      assert.ok(defaultRoute4(gw), 'the IPv4 lease should outlive the silence')
      const m = await takeOver(t, gw, silencedAt)
      const kinds = m.steps.map((s) => s.kind)
      assert.equal(kinds.at(-1), 'dhcp.restart', kinds.join(' '))
      assert.ok(kinds.lastIndexOf('rule.add') < kinds.indexOf('dhcp.restart'))
      assert.match(m.steps.find((s) => s.kind === 'renew')?.detail ?? '', /^RenewLink$/)
      assert.match(m.steps.at(-1)!.detail ?? '', /ReconfigureLink/)
      // The price: ReconfigureLink drops the IPv4 lease's routes until a new exchange brings them back (diagnostic above).
      for (let i = 0; i < 100 && !defaultRoute4(gw); i++) await sleep(50)
      assert.ok(defaultRoute4(gw), 'the IPv4 default route did not come back')
      const again = JSON.parse(gw.haTool(['notify', '--config', gw.config, '--json', 'master']).stdout) as Notify
      assert.deepEqual(again.steps, [])
    })
  })
})
