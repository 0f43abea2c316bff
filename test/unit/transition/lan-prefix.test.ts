// The delegated LAN prefix in the router advertisements (issue 19): only the MASTER holds, on the
// IPv6 VMAC, an address in the LAN /64 of the delegation (dnsmasq's constructor advertises it), and a
// new delegation swaps it. Prefixes, lengths, interface identifiers and names vary between cases.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {defaultConfig} from '../../../src/config/validate.js'
import {advertisedAddress, formatIpv6, inPrefix, lanPrefixConfig, observeLanPrefix, planLanPrefix, type LanPrefixConfig} from '../../../src/core/transition/lan-prefix.js'
import {planTransition} from '../../../src/core/transition/plan.js'
import type {ObservedWan, Role} from '../../../src/core/transition/types.js'
import {parseIpv6} from '../../../src/core/parse/ipv6.js'
import {ipEventMatters} from '../../../src/core/iproute/wan-event.js'

const FOREVER = 4294967295
const cases: Array<{cfg: LanPrefixConfig; delegated: string; lan: string; want: string}> = [
  {cfg: {lan: 'lan0', vmac: 'vrrp6.42', vip6: 'fd00:1::1/64'}, delegated: '2001:db8:100:ab00::/56', lan: '2001:db8:100:ab00:200:ff:fe00:1', want: '2001:db8:100:ab00::1/64'},
  {cfg: {lan: 'br-lan', vmac: 'vrrp6.7', vip6: 'fd12:3456::a:b:c:d/64'}, delegated: '2a02:1:2:30::/60', lan: '2a02:1:2:3a:5054:ff:fe12:3456', want: '2a02:1:2:3a:a:b:c:d/64'},
  {cfg: {lan: 'eth1', vmac: 'vrrp6.200', vip6: '2001:db8:ffff:1::fe/64'}, delegated: '2001:db8::/48', lan: '2001:db8:0:2a::1234', want: '2001:db8:0:2a::fe/64'},
]

const links = (c: LanPrefixConfig, lanAddrs: object[], vmacAddrs: object[] | undefined) => [
  {ifname: c.lan, addr_info: [{family: 'inet', local: '10.0.0.1', prefixlen: 24, scope: 'global'}, {family: 'inet6', local: 'fe80::1:2', prefixlen: 64, scope: 'link', valid_life_time: FOREVER}, ...lanAddrs]},
  ...(vmacAddrs ? [{ifname: c.vmac, addr_info: vmacAddrs}] : []),
]
const dyn = (local: string, more: object = {}) => ({family: 'inet6', local, prefixlen: 64, scope: 'global', dynamic: true, valid_life_time: 3000, preferred_life_time: 1500, ...more})
// As `ip -j -N` prints it: the scope as a number.
const ours = (local: string) => ({family: 'inet6', local, prefixlen: 64, scope: '0', nodad: true, noprefixroute: true, valid_life_time: FOREVER, preferred_life_time: FOREVER})
const vip = (c: LanPrefixConfig) => ({family: 'inet6', local: c.vip6.split('/')[0], prefixlen: 64, scope: 'global', valid_life_time: FOREVER, preferred_life_time: FOREVER})

describe('the delegated LAN prefix, observed', () => {
  for (const k of cases) {
    test(`${k.delegated} on ${k.cfg.lan}: the LAN /64 and ha-tool's address on ${k.cfg.vmac}`, () => {
      const o = observeLanPrefix(links(k.cfg, [dyn(k.lan)], [{family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link'}, vip(k.cfg), ours(k.want.split('/')[0])]), [{dst: k.delegated}], k.cfg)
      assert.equal(o.vmacExists, true)
      assert.deepEqual(o.lanPrefixes, [`${formatIpv6([...parseIpv6(k.lan)!.slice(0, 4), 0, 0, 0, 0])}/64`])
      // The VIP itself (no noprefixroute, keepalived's) is never taken for ha-tool's.
      assert.deepEqual(o.advertised, [k.want])
    })
  }
  const k = cases[0]
  test('not a delegation: a static address (no expiry), one outside every delegated prefix, a deprecated one, a /48', () => {
    const o = observeLanPrefix(links(k.cfg, [
      {...dyn('2001:db8:100:ab00::5'), valid_life_time: FOREVER},
      dyn('2001:db8:999::5'),
      dyn('2001:db8:100:ab01::5', {deprecated: true, preferred_life_time: 0}),
      {...dyn('2001:db8:100:ab02::5'), prefixlen: 48},
    ], undefined), [{dst: k.delegated}], k.cfg)
    assert.deepEqual(o, {vmacExists: false, lanPrefixes: [], advertised: []})
  })
  test('no delegation at all (no unreachable route): nothing, whatever the LAN holds', () => {
    assert.deepEqual(observeLanPrefix(links(k.cfg, [dyn(k.lan)], []), [], k.cfg).lanPrefixes, [])
  })
  test('on the VMAC only addresses with lan.vip6\'s interface identifier and noprefixroute count as ha-tool\'s', () => {
    const o = observeLanPrefix(links(k.cfg, [], [{...ours('2001:db8:100:ab00::2')}, {...ours('2001:db8:100:ab00::1'), noprefixroute: undefined}, ours('2001:db8:7::1')]), [], k.cfg)
    assert.deepEqual(o.advertised, ['2001:db8:7::1/64'])
  })
})

describe('planLanPrefix', () => {
  for (const k of cases) {
    const lanPrefix = `${formatIpv6([...parseIpv6(k.lan)!.slice(0, 4), 0, 0, 0, 0])}/64`
    test(`${k.cfg.vip6}: the MASTER adds ${k.want}, and a second plan against the result is empty`, () => {
      const steps = planLanPrefix('MASTER', k.cfg, {vmacExists: true, lanPrefixes: [lanPrefix], advertised: []})
      assert.deepEqual(steps.map((s) => [s.kind, s.args]), [['lan6.prefix.add', {dev: k.cfg.vmac, address: k.want}]])
      assert.deepEqual(planLanPrefix('MASTER', k.cfg, {vmacExists: true, lanPrefixes: [lanPrefix], advertised: [k.want]}), [])
    })
    for (const role of ['BACKUP', 'FAULT', 'STOP'] as Role[]) {
      test(`${role}: ${k.want} goes, whatever the LAN holds`, () => {
        const steps = planLanPrefix(role, k.cfg, {vmacExists: true, lanPrefixes: [lanPrefix], advertised: [k.want]})
        assert.deepEqual(steps.map((s) => [s.kind, (s.args as {address: string}).address]), [['lan6.prefix.del', k.want]])
        assert.deepEqual(planLanPrefix(role, k.cfg, {vmacExists: true, lanPrefixes: [lanPrefix], advertised: []}), [])
      })
    }
  }
  test('a new delegation: the old address goes (dnsmasq deprecates its /64), the new one comes', () => {
    const c = cases[1].cfg
    const steps = planLanPrefix('MASTER', c, {vmacExists: true, lanPrefixes: ['2a02:1:2:4b::/64'], advertised: ['2a02:1:2:3a:a:b:c:d/64']})
    assert.deepEqual(steps.map((s) => [s.kind, (s.args as {address: string}).address]), [['lan6.prefix.del', '2a02:1:2:3a:a:b:c:d/64'], ['lan6.prefix.add', '2a02:1:2:4b:a:b:c:d/64']])
  })
  test('no VMAC (keepalived not running): nothing to add to', () => {
    assert.deepEqual(planLanPrefix('MASTER', cases[0].cfg, {vmacExists: false, lanPrefixes: ['2001:db8:1::/64'], advertised: []}), [])
  })
  test('advertisedAddress keeps the /64 and takes lan.vip6\'s low 64 bits', () => {
    assert.equal(advertisedAddress('2001:db8:0:1::/64', 'fd00::1/64'), '2001:db8:0:1::1/64')
    assert.equal(advertisedAddress('2001:db8:0:1::/64', 'fd00::1:0:0:0/64'), '2001:db8:0:1:1::/64')
    assert.equal(inPrefix('2001:db8:100:ab0f::1', '2001:db8:100:ab00::/56'), true)
    assert.equal(inPrefix('2001:db8:100:ac00::1', '2001:db8:100:ab00::/56'), false)
  })
})

describe('the delegated prefix in a transition plan', () => {
  const wan = {...defaultConfig('wan0').wan, ipv6: true}
  const observed = (lan6: ObservedWan['lan6']): ObservedWan => ({ruleCount: 1, rule6Count: 1, hasDefaultRoute6: true, link: {exists: true, adminUp: true, carrier: true}, hasAddress: true, hasDefaultRoute: true, silenced: false, lan6})
  const c = cases[0].cfg
  test('MASTER: after the rules; converged MASTER: nothing else planned', () => {
    const plan = planTransition({role: 'MASTER', previousRole: 'MASTER', wan, observed: observed({vmacExists: true, lanPrefixes: ['2001:db8:100:ab00::/64'], advertised: []}), lan6: c})
    assert.deepEqual(plan.map((s) => s.kind), ['lan6.prefix.add'])
  })
  test('BACKUP: the address goes with the rules, in the first group', () => {
    const plan = planTransition({role: 'BACKUP', previousRole: 'MASTER', wan, observed: observed({vmacExists: true, lanPrefixes: [], advertised: ['2001:db8:100:ab00::1/64']}), lan6: c})
    assert.deepEqual(plan.slice(0, 3).map((s) => [s.kind, s.concurrent ?? false]), [['rule.del', false], ['rule.del', true], ['lan6.prefix.del', true]])
  })
  test('not read (lan.ipv6 off, or an IPv4-only WAN): nothing planned for it', () => {
    assert.equal(lanPrefixConfig({wan: {ipv6: true, dhcpv6: false}, lan: {ipv6: true, interface: 'lan0', vip6: 'fd00::1/64', vrid: 1}}), undefined)
    assert.equal(lanPrefixConfig({wan: {ipv6: true, dhcpv6: true}, lan: {ipv6: false, interface: 'lan0', vip6: 'fd00::1/64', vrid: 1}}), undefined)
    assert.deepEqual(lanPrefixConfig({wan: {ipv6: true, dhcpv6: true}, lan: {ipv6: true, interface: 'lan0', vip6: 'fd00::1/64', vrid: 9}}), {lan: 'lan0', vmac: 'vrrp6.9', vip6: 'fd00::1/64'})
    assert.deepEqual(planTransition({role: 'MASTER', previousRole: 'MASTER', wan, observed: observed(undefined), lan6: c}), [])
  })
})

describe('kernel events that change the delegated prefix wake the daemon', () => {
  const scope = {dev: 'wan0', table: 250, silenceTable: 'ha_tool_silence', lan6: {lan: 'lan0', vmac: 'vrrp6.42'}}
  test('the LAN\'s IPv6 addresses and ha-tool\'s on the VMAC matter; keepalived\'s VIPs and IPv4 on the LAN do not', () => {
    assert.equal(ipEventMatters('[ADDR]3: lan0    inet6 2001:db8:1::5/64 scope global dynamic \\       valid_lft 300sec preferred_lft 150sec', scope), true)
    assert.equal(ipEventMatters('[ADDR]Deleted 7: vrrp6.42    inet6 2001:db8:1::1/64 scope global nodad noprefixroute \\       valid_lft forever preferred_lft forever', scope), true)
    assert.equal(ipEventMatters('[ADDR]7: vrrp6.42    inet6 fd00:1::1/64 scope global nodad \\       valid_lft forever preferred_lft forever', scope), false)
    assert.equal(ipEventMatters('[ADDR]3: lan0    inet 10.0.0.1/24 scope global lan0', scope), false)
    assert.equal(ipEventMatters('[ADDR]3: lan0    inet6 2001:db8:1::5/64 scope global dynamic', {...scope, lan6: undefined}), false)
  })
})
