// One DHCPv6 identity, end to end: two gateways with the shared cloned MAC run the real
// systemd-networkd 252 on the WAN and LAN files `ha-tool config example networkd` prints, against a
// real DHCPv6 server (Kea) that delegates prefixes. Each gateway asks in turn, its WAN up only while
// it is "MASTER" (wan.link = "down-on-backup"), as in a failover. With the example's DUIDType=link-layer
// and IAID= both get the same delegated prefix and the LAN the same /64 (lan.pd_subnet_id); with those
// two lines removed each node is its own client and gets its own prefix.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {setTimeout as sleep} from 'node:timers/promises'
import {describe, it} from 'node:test'
import {parseIpv6} from '../../../src/core/parse/ipv6.js'
import {type Delegation, type PdGateway, type PdLab, pdLabSkipReason, withPdLab} from '../../support/pd-lab.js'
import {ensureBuilt} from '../../support/spawn.js'

const skip = pdLabSkipReason()
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]
const pool = `2001:db8:${pick(['100', 'a5', '7c00'])}::/48`

/** The /64 that SubnetId `id` names in `prefix` (e.g. "2001:db8:1:ab00::/56", 0x2a -> 2001:db8:1:ab2a::/64). */
function subnet64(prefix: string, id: number): string {
  const g = parseIpv6(prefix.split('/')[0])!
  return `${g.slice(0, 3).map((x) => x.toString(16)).join(':')}:${(g[3] + id).toString(16)}::/64`
}

function lan64(address: string): string {
  const g = parseIpv6(address.split('/')[0])!
  return `${g.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`
}

/** `ha-tool status --json` on the gateway: the delegated prefixes it reports. */
function statusPrefixes(gw: PdGateway): string[] {
  const r = gw.haTool(['status', '--config', gw.config, '--json'])
  const s = JSON.parse(r.stdout) as {wan: {ipv6: {delegatedPrefixes: string[]} | null}}
  assert.ok(s.wan.ipv6, `status has no wan.ipv6: ${r.stdout}${r.stderr}`)
  return s.wan.ipv6.delegatedPrefixes
}

/** gw1 asks while gw2's WAN is down, then the other way round ("failover"): both delegations. */
async function inTurn(lab: PdLab, table: number): Promise<[Delegation, Delegation]> {
  const [gw1, gw2] = lab.gateways
  assert.deepEqual(statusPrefixes(gw1), [])
  gw1.wanUp()
  const d1 = await gw1.waitDelegation()
  assert.deepEqual(statusPrefixes(gw1), [d1.prefix], 'status shows the prefix this node holds')
  // The ISP's RA gives the WAN its IPv6 default route, in wan.table, not in main.
  assert.match(gw1.ip('-6', 'route', 'show', 'table', String(table)), /^default via fe80::\S+ dev wan0/m)
  assert.doesNotMatch(gw1.ip('-6', 'route', 'show', 'table', 'main'), /^default/m)
  gw1.wanDown()
  gw2.wanUp()
  const d2 = await gw2.waitDelegation()
  assert.deepEqual(statusPrefixes(gw2), [d2.prefix])
  // With its WAN down (down-on-backup) networkd drops the lease, and the old MASTER shows none.
  assert.deepEqual(statusPrefixes(gw1), [])
  gw2.wanDown()
  return [d1, d2]
}

describe('networkd example: the delegated prefix survives a failover (Kea, two gateways, one MAC)', {skip, timeout: 120_000}, () => {
  // Vary the pool, the delegated length, the LAN's subnet id, the IAID and the WAN table.
  const delegatedLength = pick([56, 60])
  const subnetId = pick(delegatedLength === 56 ? [0, 0x2a, 0xff] : [0, 0x7, 0xf])
  const iaid = pick([1, 7, 3735928559])
  const table = pick([250, 251, 1234])
  const opts = {pool, delegatedLength, wan: `table = ${table}\ndhcpv6_iaid = ${iaid}`, lan: `pd_subnet_id = ${subnetId}`}

  it(`with DUIDType=link-layer and IAID=${iaid}: both nodes get one prefix, the LAN the same /64 (pool ${pool}, /${delegatedLength}, subnet 0x${subnetId.toString(16)})`, async () => {
    ensureBuilt()
    await withPdLab('hat-pd', opts, async (lab) => {
      for (const gw of lab.gateways) {
        assert.match(gw.files.wan, /^DUIDType=link-layer$/m)
        assert.match(gw.files.wan, new RegExp(`^IAID=${iaid}$`, 'm'))
        assert.match(gw.files.lan, /^DHCPPrefixDelegation=yes$/m)
      }
      const [d1, d2] = await inTurn(lab, table)
      assert.equal(d2.prefix, d1.prefix, 'the second node was delegated another prefix')
      assert.match(d1.prefix, new RegExp(`/${delegatedLength}$`))
      // The LAN takes subnet lan.pd_subnet_id of it on both nodes; the addresses differ (EUI-64 of each LAN MAC).
      assert.equal(lan64(d1.lanAddress), subnet64(d1.prefix, subnetId))
      assert.equal(lan64(d2.lanAddress), lan64(d1.lanAddress))
      assert.notEqual(d2.lanAddress, d1.lanAddress)
      const pd = lab.keaLeases().filter((l) => l.type === 'pd')
      assert.deepEqual(pd.map((l) => [`${l.address}/${l.prefixLength}`, l.iaid]), [[d1.prefix, iaid]], 'Kea holds one delegation')
      assert.match(pd[0].duid, /^00:03:00:01:02:00:5e:10:00:01$/, 'DUID-LL of the shared MAC')
    })
  })

  it('without the DUIDType= and IAID= lines each node is its own client: two prefixes (the test above can fail)', async () => {
    ensureBuilt()
    const edit = (name: 'wan' | 'lan', text: string) => (name === 'wan' ? text.replace(/^(DUIDType|IAID)=.*\n/gm, '') : text)
    await withPdLab('hat-pd', {...opts, edit}, async (lab) => {
      for (const gw of lab.gateways) assert.doesNotMatch(gw.files.wan, /^(DUIDType|IAID)=/m)
      const [d1, d2] = await inTurn(lab, table)
      assert.notEqual(d2.prefix, d1.prefix)
      assert.equal(lab.keaLeases().filter((l) => l.type === 'pd').length, 2)
    })
  })
})


/** nftables counters on the ISP's end of a gateway's WAN cable (ingress: what the gateway sent). */
function ispCounters(isp: string, port: string): () => Record<string, number> {
  const nft = (input: string, ...args: string[]) => execFileSync('ip', ['netns', 'exec', isp, 'nft', ...args], {input, encoding: 'utf8'})
  nft(['table netdev hat_count {', `  chain in { type filter hook ingress device "${port}" priority 0; policy accept;`,
    '    counter comment "frames"',
    '    meta protocol ip6 counter comment "ipv6"',
    '    udp dport 547 counter comment "dhcpv6"',
    '    icmpv6 type nd-router-solicit counter comment "rs"',
    '    icmpv6 type nd-neighbor-solicit counter comment "ns"',
    '    icmpv6 type { mld-listener-report, mld2-listener-report } counter comment "mld"',
    '    udp dport 67 counter comment "dhcpv4"',
    '  }', '}', ''].join('\n'), '-f', '-')
  return () => {
    const out: Record<string, number> = {}
    for (const m of nft('', 'list', 'table', 'netdev', 'hat_count').matchAll(/counter packets (\d+) bytes \d+ comment "(\w+)"/g)) out[m[2]] = Number(m[1])
    return out
  }
}

describe('keep-up: a silenced BACKUP\'s real networkd sends nothing on the WAN (no DHCPv6, RS, NDP, MLD, DHCPv4)', {skip, timeout: 120_000}, () => {
  it('BACKUP: networkd solicits, nothing reaches the ISP; MASTER: the silence lifts and the prefix is delegated', async (t) => {
    ensureBuilt()
    await withPdLab('hat-pd', {pool, delegatedLength: 56, link: 'keep-up', startNetworkd: false, wan: 'up_timeout_ms = 20000\nrenew = "networkd"'}, async (lab) => {
      const gw = lab.gateways[0]
      assert.doesNotMatch(gw.files.wan, /^ActivationPolicy=/m, 'keep-up: networkd brings the WAN up itself')
      const b = gw.haTool(['notify', '--config', gw.config, 'backup'])
      assert.equal(b.code, 0, b.stderr)
      const read = ispCounters(lab.isp, gw.ispPort)
      await gw.startNetworkd()
      // Long enough for networkd's first Solicits, RS, DAD and MLD and a few DHCPv4 discovers.
      for (let i = 0; i < 100 && (gw.networkdLog().match(/DHCPv6 client: Sent Solicit/g) ?? []).length < 3; i++) await sleep(100)
      assert.ok((gw.networkdLog().match(/DHCPv6 client: Sent Solicit/g) ?? []).length >= 3, 'networkd did not try DHCPv6: the silence would prove nothing')
      assert.match(gw.ip('link', 'show', 'dev', 'wan0'), /state UP/)
      assert.deepEqual(read(), {frames: 0, ipv6: 0, dhcpv6: 0, rs: 0, ns: 0, mld: 0, dhcpv4: 0}, 'the BACKUP sent on the WAN')
      assert.deepEqual(lab.keaLeases(), [])
      assert.deepEqual(statusPrefixes(gw), [])
      const started = Date.now()
      const m = gw.haTool(['notify', '--config', gw.config, '--json', 'master'])
      const d = await gw.waitDelegation(30_000)
      assert.equal(m.code, 0, m.stdout + m.stderr)
      const steps = (JSON.parse(m.stdout) as {steps: Array<{kind: string; durationMs: number}>}).steps
      t.diagnostic(`notify master ${steps.map((s) => `${s.kind} ${Math.round(s.durationMs)} ms`).join(', ')}; delegation ${d.prefix} ${Date.now() - started} ms after it started`)
      assert.deepEqual(statusPrefixes(gw), [d.prefix])
      const after = read()
      assert.ok(after.dhcpv6 > 0 && after.dhcpv4 > 0, JSON.stringify(after))
    })
  })
})

describe('the ISP renumbers: the MASTER\'s LAN follows the new delegated prefix', {skip, timeout: 120_000}, () => {
  it('Kea moves to another pool; at the next renewal networkd drops the old prefix and numbers the LAN from the new one', async () => {
    ensureBuilt()
    const next = pool === '2001:db8:100::/48' ? '2001:db8:e00::/48' : '2001:db8:100::/48'
    const timers = {renew: 2, rebind: 4, preferred: 60, valid: 120}
    await withPdLab('hat-pd', {pool, delegatedLength: 56, timers, lan: 'pd_subnet_id = 5'}, async (lab) => {
      const gw = lab.gateways[0]
      gw.wanUp()
      const before = await gw.waitDelegation()
      assert.equal(lan64(before.lanAddress), subnet64(before.prefix, 5))
      lab.setPool(next)
      const nextStart = parseIpv6(next.split('/')[0])!
      let after: Delegation | undefined
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(200)) {
        const d = gw.delegation()
        if (d && parseIpv6(d.prefix.split('/')[0])![2] === nextStart[2] && lan64(d.lanAddress) !== lan64(before.lanAddress)) { after = d; break }
      }
      assert.ok(after, `no new prefix from ${next} within 20 s (still ${JSON.stringify(gw.delegation())}):\n${lab.keaLog().split('\n').slice(-15).join('\n')}`)
      assert.equal(lan64(after.lanAddress), subnet64(after.prefix, 5))
      // The old LAN address goes at once (Kea sent the old prefix with lifetime 0); networkd keeps the
      // old prefix's unreachable route until its own timer runs out, so status lists both for a while.
      assert.ok(!gw.ip('-6', 'addr', 'show', 'dev', 'lan0').includes(before.lanAddress.split('/')[0]), 'the old LAN address stayed')
      assert.ok(statusPrefixes(gw).includes(after.prefix))
      assert.deepEqual(lab.keaLeases().filter((l) => l.type === 'pd').map((l) => `${l.address}/${l.prefixLength}`), [after.prefix])
    })
  })
})
