// IPv6 on the LAN (issue 19, lan.ipv6): the examples gain a VRRPv3 IPv6 instance in a sync group with
// the IPv4 one, router advertisements from its link-local VIP, IPv6 in conntrackd and nftables; the
// config refuses the combinations that cannot work. The real daemons read these files in
// test/integration/operate/config-example.test.ts and test/integration/transition/ipv6-lan-ra.test.ts.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {parse} from 'smol-toml'
import {buildExample} from '../../../src/app/config-example.js'
import type {Config} from '../../../src/config/schema.js'
import {defaultConfig, findProblems} from '../../../src/config/validate.js'
import {parseConntrackdConf} from '../../../src/core/conntrack/config.js'
import {parseBraceConf, walkConf} from '../../../src/core/parse/brace-conf.js'
import {parseDnsmasqConf} from '../../../src/core/parse/dnsmasq-conf.js'
import {isLinkLocal6, parseIpv6} from '../../../src/core/parse/ipv6.js'
import {parseNftRuleset, ruleInterfaces} from '../../../src/core/parse/nft-ruleset.js'
import {parseKeepalivedVips, planVipRelease, planVmacRelease} from '../../../src/core/keepalived/vips.js'

const base = defaultConfig('wan0')
function cfg(over: {[S in keyof Config]?: Partial<Config[S]>} = {}): Config {
  const out = structuredClone(base) as Record<string, Record<string, unknown>>
  for (const [s, v] of Object.entries(over)) out[s] = {...out[s], ...v}
  return out as unknown as Config
}
const v6 = (lan: Partial<Config['lan']> = {}, more: Parameters<typeof cfg>[0] = {}) =>
  cfg({...more, lan: {interface: 'lan0', vrid: 42, ipv6: true, vip6: 'fd00:1::1/64', ...lan}, keepalived: {instance: 'VI_gw', ...more.keepalived}})

describe('parseIpv6', () => {
  test('full, shorthand and IPv4-mapped forms', () => {
    assert.deepEqual(parseIpv6('fe80::1'), [0xfe80, 0, 0, 0, 0, 0, 0, 1])
    assert.deepEqual(parseIpv6('::'), [0, 0, 0, 0, 0, 0, 0, 0])
    assert.deepEqual(parseIpv6('2001:db8:0:0:1:2:3:4'), [0x2001, 0xdb8, 0, 0, 1, 2, 3, 4])
    assert.deepEqual(parseIpv6('::ffff:192.0.2.1'), [0, 0, 0, 0, 0, 0xffff, 0xc000, 0x201])
    for (const bad of ['', 'fe80::1::2', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', 'fe80::g', '192.0.2.1', 'fe80::1%eth0', '1:2:3:4:5:6:7::8']) {
      assert.equal(parseIpv6(bad), undefined, bad)
    }
    assert.equal(isLinkLocal6(parseIpv6('febf::1')!), true)
    assert.equal(isLinkLocal6(parseIpv6('fec0::1')!), false)
  })
})

describe('keepalived with lan.ipv6', () => {
  test('an IPv6 instance (same vrid, VMAC, link-local VIP first) in one sync group with the IPv4 instance', () => {
    for (const mode of ['fifo', 'script'] as const) {
      const tree = parseBraceConf(buildExample('keepalived', v6({vip6_link_local: 'fe80::5:1'}), '/x.toml', mode))
      const group = tree.find((n) => n.key === 'vrrp_sync_group')!
      assert.equal(group.args[0], 'VI_gw_group')
      assert.deepEqual(group.children.find((n) => n.key === 'group')!.children.map((n) => n.key), ['VI_gw', 'VI_gw_6'])
      const insts = tree.filter((n) => n.key === 'vrrp_instance')
      assert.deepEqual(insts.map((n) => n.args[0]), ['VI_gw', 'VI_gw_6'])
      const six = insts[1].children
      const arg = (k: string) => six.find((n) => n.key === k)?.args
      assert.deepEqual(arg('virtual_router_id'), ['42'])
      assert.deepEqual(arg('interface'), ['lan0'])
      assert.ok(six.some((n) => n.key === 'use_vmac'))
      assert.ok(six.some((n) => n.key === 'nopreempt'))
      assert.deepEqual(six.find((n) => n.key === 'virtual_ipaddress')!.children.map((n) => n.key), ['fe80::5:1/64', 'fd00:1::1/64'])
      // Only the IPv4 instance drives ha-tool (notify in script mode); the group carries the IPv6 one along.
      assert.equal(walkConf(six).some((n) => n.key === 'notify'), false)
      assert.equal(walkConf(insts[0].children).some((n) => n.key === 'notify'), mode === 'script')
    }
  })

  test('without lan.ipv6: one instance, no sync group (the file is what it was)', () => {
    const tree = parseBraceConf(buildExample('keepalived', cfg(), '/x.toml'))
    assert.equal(tree.filter((n) => n.key === 'vrrp_instance').length, 1)
    assert.equal(tree.some((n) => n.key === 'vrrp_sync_group'), false)
  })
})

describe('dnsmasq with lan.ipv6', () => {
  test('RA and stateless DHCPv6 on vrrp6.<vrid> only, from the prefix on it, high preference, DNS on lan.vip6', () => {
    const opts = parseDnsmasqConf(buildExample('dnsmasq', v6(), '/x.toml'))
    const all = (name: string) => opts.filter((o) => o.name === name).map((o) => o.value)
    assert.deepEqual(all('interface'), ['lan0', 'vrrp6.42'])
    assert.equal(opts.some((o) => o.name === 'enable-ra'), true)
    // Prefix lifetimes at RFC 9096's 2700 s, whatever dnsmasq.lease_time says (12h here).
    assert.deepEqual(all('dhcp-range').filter((r) => r.startsWith('::')), ['::,constructor:vrrp6.42,ra-stateless,64,2700'])
    // Never from lan0 itself: it holds the delegated prefix's address, and an RA from there carries this node's link-local address.
    assert.deepEqual(all('no-dhcpv6-interface'), ['lan0'])
    assert.deepEqual(all('ra-param'), ['vrrp6.42,high,30,1800'])
    assert.deepEqual(all('dhcp-option').filter((o) => o.startsWith('option6:')), ['option6:dns-server,[fd00:1::1]'])
    // DHCPv4 stays off the IPv4 VMAC, and RA never goes out the base interface (a node's own link-local).
    assert.deepEqual(all('no-dhcp-interface'), ['vrrp.42'])
    assert.equal(all('ra-param').some((p) => p.startsWith('lan0')), false)
  })

  test('without lan.ipv6: no RA at all', () => {
    const opts = parseDnsmasqConf(buildExample('dnsmasq', cfg(), '/x.toml'))
    assert.equal(opts.some((o) => o.name === 'enable-ra' || o.name === 'ra-param'), false)
  })
})

describe('nftables and IPv6', () => {
  const chain = (text: string, hook: string) => parseNftRuleset(text).flatMap((t) => t.chains).find((c) => c.hook === hook)!
  test('wan.ipv6: the WAN input lets in neighbour discovery, RAs, ICMPv6 errors and DHCPv6 replies before its drop', () => {
    const input = chain(buildExample('nftables', cfg(), undefined), 'input').rules
    assert.equal(input[0], 'iifname "wan0" ct state established, related accept')
    assert.match(input[1], /^iifname "wan0" icmpv6 type \{ nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert, packet-too-big/)
    assert.equal(input[2], 'iifname "wan0" ip6 saddr fe80::/10 udp sport 547 udp dport 546 accept')
    assert.equal(input.at(-1), 'iifname "wan0" drop')
    const v4only = chain(buildExample('nftables', cfg({wan: {ipv6: false}}), undefined), 'input').rules
    assert.deepEqual(v4only, ['iifname "wan0" ct state established, related accept', 'iifname "wan0" drop'])
  })

  test('lan.ipv6: the LAN->LAN drop covers vrrp6.<vrid>; IPv6 from the WAN is forwarded only as answers or ICMPv6', () => {
    const forward = chain(buildExample('nftables', v6(), undefined), 'forward').rules
    const guard = forward.find((r) => /oifname/.test(r))!
    assert.deepEqual(ruleInterfaces(guard, 'in'), ['lan0', 'vrrp.42', 'vrrp6.42'])
    assert.deepEqual(ruleInterfaces(guard, 'out'), ['lan0', 'vrrp.42', 'vrrp6.42'])
    assert.equal(forward.at(-1), 'iifname "wan0" meta nfproto ipv6 drop')
    assert.ok(forward.includes('iifname "wan0" meta nfproto ipv6 ct state established, related accept'))
    assert.equal(chain(buildExample('nftables', cfg(), undefined), 'forward').rules.length, 1)
  })

  test('lan.ipv6: no "no route" errors out vrrp6.<vrid> (a new MASTER before its IPv6 rule); none of this without lan.ipv6', () => {
    assert.deepEqual(chain(buildExample('nftables', v6(), undefined), 'output').rules, ['oifname "vrrp6.42" icmpv6 type destination-unreachable icmpv6 code no-route drop'])
    assert.equal(chain(buildExample('nftables', cfg(), undefined), 'output'), undefined)
  })
})

describe('conntrackd and IPv6', () => {
  test('ICMPv6 flows are replicated; the IPv6 VIPs and ::1 are ignored like the IPv4 ones', () => {
    const text = buildExample('conntrackd', v6({vip6_link_local: 'fe80::9'}), '/x.toml')
    const filter = walkConf(parseBraceConf(text)).find((n) => n.key === 'Filter')!
    const proto = walkConf(filter.children).find((n) => n.key === 'Protocol')!
    assert.deepEqual(proto.children.map((n) => n.key), ['TCP', 'UDP', 'ICMP', 'IPv6-ICMP'])
    const ignore = walkConf(filter.children).find((n) => n.key === 'Address')!
    assert.deepEqual(ignore.children.filter((n) => n.key === 'IPv6_address').map((n) => n.args[0]), ['::1', 'fe80::9', 'fd00:1::1'])
    assert.equal(parseConntrackdConf(text).conf.mode, 'FTFW')
    const plain = walkConf(parseBraceConf(buildExample('conntrackd', cfg(), '/x.toml'))).find((n) => n.key === 'Address')!
    assert.deepEqual(plain.children.filter((n) => n.key === 'IPv6_address').map((n) => n.args[0]), ['::1'])
  })
})

describe('config validation for lan.ipv6', () => {
  const problems = (toml: string) => findProblems(parse(toml, {integersAsBigInt: 'asNeeded'}) as Record<string, unknown>, toml, 'c.toml').map((e) => e.message)
  const WAN = '[wan]\ninterface = "wan0"\n'
  test('a complete IPv6 LAN is valid', () => {
    assert.deepEqual(problems(`${WAN}[lan]\nipv6 = true\nvip6 = "2001:db8:5::1/64"\n[keepalived]\ninstance = "VI_gateway"\n`), [])
  })
  test('keepalived.instance and lan.vip6 are required with lan.ipv6', () => {
    const p = problems(`${WAN}[lan]\nipv6 = true\n`)
    assert.equal(p.length, 2, p.join('\n'))
    assert.match(p.join('\n'), /keepalived\.instance: must name the IPv4 VRRP instance/)
    assert.match(p.join('\n'), /lan\.vip6: must be set when lan\.ipv6 = true/)
  })
  test('vip6 must be a unicast /64, vip6_link_local a link-local address', () => {
    for (const bad of ['fd00::1', 'fd00::1/48', 'fe80::2/64', 'ff02::1/64', '192.168.1.1/64', 'fd00::1::2/64']) {
      assert.match(problems(`${WAN}[lan]\nvip6 = "${bad}"\n`).join('\n'), /lan\.vip6: expected an IPv6 unicast address with prefix length 64/, bad)
    }
    for (const bad of ['fd00::1', 'fe80::1/64', 'fe80::1%lan0', 'x']) {
      assert.match(problems(`${WAN}[lan]\nvip6_link_local = "${bad}"\n`).join('\n'), /lan\.vip6_link_local: expected an IPv6 link-local address/, bad)
    }
  })
})

describe('the watchdog releases the IPv6 VMAC too', () => {
  test('without keepalived.conf: vrrp.<vrid> and vrrp6.<vrid> macvlans go, nothing else', () => {
    const link = (ifname: string, kind?: string) => ({ifname, ...(kind ? {linkinfo: {info_kind: kind}} : {})})
    assert.deepEqual(planVmacRelease([link('lan0'), link('vrrp.60', 'macvlan'), link('vrrp6.60', 'macvlan'), link('vrrp6x', 'macvlan'), link('vrrp6.61')]).links, ['vrrp.60', 'vrrp6.60'])
  })
  test('from the lan.ipv6 keepalived example: its IPv6 VIPs are found, so the VMAC holding them goes whole', () => {
    const vips = parseKeepalivedVips(buildExample('keepalived', v6(), '/x.toml'))
    assert.deepEqual(vips, ['192.168.1.3', 'fe80::1', 'fd00:1::1'])
    const plan = planVipRelease(vips, [{ifname: 'vrrp6.42', linkinfo: {info_kind: 'macvlan'}, addr_info: [{local: 'fe80::1', prefixlen: 64}]}])
    assert.deepEqual(plan.links, ['vrrp6.42'])
  })
})
