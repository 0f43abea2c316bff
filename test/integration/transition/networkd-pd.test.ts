// One DHCPv6 identity, end to end: two gateways with the shared cloned MAC run the real
// systemd-networkd 252 on the WAN and LAN files `ha-tool config example networkd` prints, against a
// real DHCPv6 server (Kea) that delegates prefixes. Each gateway asks in turn, its WAN up only while
// it is "MASTER" (wan.link = "down-on-backup"), as in a failover. With the example's DUIDType=link-layer
// and IAID= both get the same delegated prefix and the LAN the same /64 (lan.pd_subnet_id); with those
// two lines removed each node is its own client and gets its own prefix.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {parseIpv6} from '../../../src/core/parse/ipv6.js'
import {type Delegation, type PdLab, pdLabSkipReason, withPdLab} from '../../support/pd-lab.js'
import {ensureBuilt} from '../../support/spawn.js'

const skip = pdLabSkipReason()
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]

/** The /64 that SubnetId `id` names in `prefix` (e.g. "2001:db8:1:ab00::/56", 0x2a -> 2001:db8:1:ab2a::/64). */
function subnet64(prefix: string, id: number): string {
  const g = parseIpv6(prefix.split('/')[0])!
  return `${g.slice(0, 3).map((x) => x.toString(16)).join(':')}:${(g[3] + id).toString(16)}::/64`
}

function lan64(address: string): string {
  const g = parseIpv6(address.split('/')[0])!
  return `${g.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`
}

/** gw1 asks while gw2's WAN is down, then the other way round ("failover"): both delegations. */
async function inTurn(lab: PdLab, table: number): Promise<[Delegation, Delegation]> {
  const [gw1, gw2] = lab.gateways
  gw1.wanUp()
  const d1 = await gw1.waitDelegation()
  // The ISP's RA gives the WAN its IPv6 default route, in wan.table, not in main.
  assert.match(gw1.ip('-6', 'route', 'show', 'table', String(table)), /^default via fe80::\S+ dev wan0/m)
  assert.doesNotMatch(gw1.ip('-6', 'route', 'show', 'table', 'main'), /^default/m)
  gw1.wanDown()
  gw2.wanUp()
  const d2 = await gw2.waitDelegation()
  gw2.wanDown()
  return [d1, d2]
}

describe('networkd example: the delegated prefix survives a failover (Kea, two gateways, one MAC)', {skip, timeout: 120_000}, () => {
  // Vary the pool, the delegated length, the LAN's subnet id, the IAID and the WAN table.
  const delegatedLength = pick([56, 60])
  const subnetId = pick(delegatedLength === 56 ? [0, 0x2a, 0xff] : [0, 0x7, 0xf])
  const pool = `2001:db8:${pick(['100', 'a5', '7c00'])}::/48`
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

