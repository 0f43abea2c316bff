// The example generators follow the ha-tool config: every value that matters comes from it, and
// the traps of DESIGN.md section 4 are handled the same way doctor checks them.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {buildExample, buildNetworkdFiles, writeExampleFiles} from '../../../src/app/config-example.js'
import type {Config} from '../../../src/config/schema.js'
import {defaultConfig} from '../../../src/config/validate.js'
import {parseBraceConf, walkConf} from '../../../src/core/parse/brace-conf.js'
import {parseDnsmasqConf, dhcpOptionValue} from '../../../src/core/parse/dnsmasq-conf.js'
import {rangeHalf} from '../../../src/core/examples/dhcp-range.js'
import {iniValue, parseIni} from '../../../src/core/parse/ini.js'
import {parseNftRuleset, ruleInterfaces} from '../../../src/core/parse/nft-ruleset.js'
import {parseConntrackdConf} from '../../../src/core/conntrack/config.js'

const base = defaultConfig('wan0')
function cfg(over: {[S in keyof Config]?: Partial<Config[S]>} = {}): Config {
  const out = structuredClone(base) as Record<string, Record<string, unknown>>
  for (const [s, v] of Object.entries(over)) out[s] = {...out[s], ...v}
  return out as unknown as Config
}
const files = (text: string) => Object.fromEntries(text.split(/^# file: /m).slice(1).map((c) => [c.slice(0, c.indexOf('\n')), parseIni(c.slice(c.indexOf('\n') + 1))]))

describe('keepalived', () => {
  test('fifo mode: script security, D-Bus, the FIFO, the track_file; no notify, no virtual_rules', () => {
    const text = buildExample('keepalived', cfg({state: {dir: '/run/x'}, lan: {interface: 'lan0', vrid: 42, vip: '10.0.0.3'}}), '/etc/ha-tool/config.toml')
    const tree = parseBraceConf(text)
    const defs = tree.find((n) => n.key === 'global_defs')!.children.map((n) => [n.key, ...n.args].join(' '))
    assert.deepEqual(defs, ['enable_script_security', 'script_user root', 'enable_dbus', 'vrrp_version 3', 'vrrp_rt_priority 1', 'max_auto_priority', 'vrrp_rlimit_rttime 100000', 'vrrp_garp_master_delay 1', 'vrrp_garp_master_refresh 1', 'vrrp_notify_fifo /run/x/notify.fifo'])
    const all = walkConf(tree)
    // track_file, not the deprecated vrrp_track_file.
    assert.equal(tree.find((n) => n.key === 'track_file')?.children.find((n) => n.key === 'file')?.args[0], '/run/x/track')
    assert.equal(all.some((n) => n.key === 'vrrp_track_file'), false)
    assert.doesNotMatch(text, /ha-tool\.service/)
    assert.equal(all.some((n) => n.key.startsWith('notify')), false)
    assert.equal(all.some((n) => n.key === 'virtual_rules'), false)
    const inst = tree.find((n) => n.key === 'vrrp_instance')!
    assert.equal(inst.args[0], 'VI_gateway')
    assert.deepEqual(inst.children.find((n) => n.key === 'interface')?.args, ['lan0'])
    assert.deepEqual(inst.children.find((n) => n.key === 'virtual_router_id')?.args, ['42'])
    assert.equal(inst.children.find((n) => n.key === 'virtual_ipaddress')?.children[0].key, '10.0.0.3/24')
  })

  test('script mode: notify and check by the installed path, --config when not the default', () => {
    const text = buildExample('keepalived', cfg({keepalived: {instance: 'VI_9'}, health: {targets: ['192.0.2.1']}}), '/etc/ha-tool/gw.toml', 'script')
    const all = walkConf(parseBraceConf(text))
    assert.deepEqual(all.find((n) => n.key === 'track_script')?.children.map((n) => n.key), ['ha_tool_check'])
    assert.equal(all.find((n) => n.key === 'notify')?.args[0], '/usr/sbin/ha-tool notify --config /etc/ha-tool/gw.toml')
    assert.equal(all.find((n) => n.key === 'script')?.args[0], '/usr/sbin/ha-tool check --config /etc/ha-tool/gw.toml')
    assert.equal(all.some((n) => n.key === 'vrrp_notify_fifo'), false)
    assert.equal(all.find((n) => n.key === 'vrrp_instance')?.args[0], 'VI_9')
  })

  test('script mode without health.targets: no check (it would exit 2 and hold the node in FAULT), notify still', () => {
    const all = walkConf(parseBraceConf(buildExample('keepalived', cfg(), '/x.toml', 'script')))
    assert.equal(all.some((n) => n.key === 'vrrp_script' || n.key === 'track_script'), false)
    assert.equal(all.find((n) => n.key === 'notify')?.args[0], '/usr/sbin/ha-tool notify --config /x.toml')
  })

  test('a relative --config becomes absolute in keepalived.conf (keepalived runs scripts from /)', () => {
    const all = walkConf(parseBraceConf(buildExample('keepalived', cfg(), 'gw/my.toml', 'script')))
    const notify = all.find((n) => n.key === 'notify')!.args[0]
    assert.equal(notify, `/usr/sbin/ha-tool notify --config ${process.cwd()}/gw/my.toml`)
    // Every path keepalived opens or runs is absolute.
    for (const n of all) for (const a of n.args) if (a.includes('/')) assert.match(a, /^\//, `${n.key} ${a}`)
  })

  test('keepalived.fifo set: the example writes that FIFO', () => {
    const defs = parseBraceConf(buildExample('keepalived', cfg({keepalived: {fifo: '/run/k/f'}}), '/x.toml')).find((n) => n.key === 'global_defs')!
    assert.deepEqual(defs.children.find((n) => n.key === 'vrrp_notify_fifo')?.args, ['/run/k/f'])
  })

  test('VRRP priority, advert_int and the VRRP process priority come from the config', () => {
    const inst = (text: string) => parseBraceConf(text).find((n) => n.key === 'vrrp_instance')!
    const arg = (text: string, key: string) => inst(text).children.find((n) => n.key === key)?.args
    const defaults = buildExample('keepalived', cfg(), '/x.toml')
    assert.deepEqual(arg(defaults, 'priority'), ['100'])
    assert.deepEqual(arg(defaults, 'advert_int'), ['0.1'])
    for (const [priority, ms, written] of [[200, 1000, '1'], [7, 2550, '2.55'], [254, 10, '0.01']] as const) {
      const text = buildExample('keepalived', cfg({keepalived: {priority, advert_int_ms: ms}}), '/x.toml', 'script')
      assert.deepEqual(arg(text, 'priority'), [String(priority)])
      assert.deepEqual(arg(text, 'advert_int'), [written])
    }
    const defs = (text: string) => parseBraceConf(text).find((n) => n.key === 'global_defs')!.children
    // Default: real-time from the start with a RLIMIT_RTTIME that a MASTER transition under load fits in
    // (keepalived's own 10 ms SIGKILLs the VRRP child there), in both modes; no nice value.
    for (const mode of ['fifo', 'script'] as const) {
      const sched = defs(buildExample('keepalived', cfg(), '/x.toml', mode)).filter((n) => /priority|rlimit/.test(n.key)).map((n) => [n.key, ...n.args].join(' '))
      assert.deepEqual(sched, ['vrrp_rt_priority 1', 'max_auto_priority', 'vrrp_rlimit_rttime 100000'], mode)
    }
    // A nice value instead: no real-time keyword at all (max_auto_priority would switch it back to real-time).
    for (const nice of [-15, -1, 5]) {
      const niced = defs(buildExample('keepalived', cfg({keepalived: {vrrp_priority: nice}}), '/x.toml'))
      assert.deepEqual(niced.filter((n) => /priority|rlimit/.test(n.key)).map((n) => [n.key, ...n.args].join(' ')), [`vrrp_priority ${nice}`])
    }
  })

  test('nopreempt by default; keepalived.preempt writes preempt_delay (seconds) from preempt_delay_ms instead, in every instance', () => {
    const instances = (text: string) => walkConf(parseBraceConf(text)).filter((n) => n.key === 'vrrp_instance')
    const keys = (text: string) => instances(text).map((i) => i.children.filter((n) => n.key.includes('preempt')).map((n) => [n.key, ...n.args].join(' ')))
    assert.deepEqual(keys(buildExample('keepalived', cfg(), '/x.toml')), [['nopreempt']])
    assert.deepEqual(keys(buildExample('keepalived', cfg({keepalived: {preempt: true}}), '/x.toml')), [['preempt_delay 2']])
    const dual = buildExample('keepalived', cfg({keepalived: {preempt: true, preempt_delay_ms: 1250}, lan: {ipv6: true, vip6: 'fd00:1::1/64'}}), '/x.toml', 'script')
    assert.deepEqual(keys(dual), [['preempt_delay 1.25'], ['preempt_delay 1.25']])
    assert.match(dual, /the higher priority takes MASTER back when it returns/)
    assert.doesNotMatch(dual, /whoever is MASTER stays MASTER/)
  })

  test('the WAN is tracked in keep-up mode only', () => {
    const tracked = (link: 'keep-up' | 'down-on-backup') => walkConf(parseBraceConf(buildExample('keepalived', cfg({wan: {link}}), undefined))).filter((n) => n.key === 'track_interface').flatMap((n) => n.children.map((c) => c.key))
    assert.deepEqual(tracked('keep-up'), ['wan0'])
    assert.deepEqual(tracked('down-on-backup'), [])
  })
})

describe('networkd', () => {
  test('WAN: ClientIdentifier=mac, RouteTable from wan.table; ActivationPolicy=manual only when ha-tool takes the link down via netlink', () => {
    const f = (wan: Partial<Config['wan']>) => files(buildExample('networkd', cfg({wan: {table: 123, ...wan}}), undefined))['/etc/systemd/network/10-wan0-wan.network']
    const netlink = f({link: 'down-on-backup', link_via: 'netlink'})
    assert.equal(iniValue(netlink, 'DHCPv4', 'ClientIdentifier'), 'mac')
    assert.equal(iniValue(netlink, 'DHCPv4', 'RouteTable'), '123')
    assert.equal(iniValue(netlink, 'Link', 'ActivationPolicy'), 'manual')
    assert.equal(iniValue(f({link: 'down-on-backup', link_via: 'networkd'}), 'Link', 'ActivationPolicy'), undefined)
    assert.equal(iniValue(f({link: 'keep-up'}), 'Link', 'ActivationPolicy'), undefined)
  })

  test('LAN: the fallback route and an iif-lo rule from lan.*; networkd.conf keeps foreign rules', () => {
    const all = files(buildExample('networkd', cfg({lan: {interface: 'lan0', fallback_table: 77, fallback_priority: 40000, vip: '10.1.1.3', address: '10.1.1.2/24'}}), '/etc/ha-tool/config.toml'))
    const lan = all['/etc/systemd/network/20-lan0-lan.network']
    assert.equal(iniValue(lan, 'Address', 'Address'), '10.1.1.2/24')
    assert.equal(iniValue(lan, 'Route', 'Gateway'), '10.1.1.3')
    assert.equal(iniValue(lan, 'Route', 'Table'), '77')
    assert.equal(iniValue(lan, 'RoutingPolicyRule', 'Priority'), '40000')
    assert.equal(iniValue(lan, 'RoutingPolicyRule', 'IncomingInterface'), 'lo')
    assert.equal(iniValue(all['/etc/systemd/networkd.conf.d/ha-tool.conf'], 'Network', 'ManageForeignRoutingPolicyRules'), 'no')
  })

  test('placeholders: from the defaults, per-node values are marked; the other node\'s address is named', () => {
    const text = buildExample('networkd', cfg(), undefined)
    assert.match(text, /# PLACEHOLDER: this node's LAN address; the other node uses 192\.168\.1\.2\/24\nAddress=192\.168\.1\.1\/24/)
    assert.doesNotMatch(buildExample('networkd', cfg({lan: {address: '192.168.1.2/24'}, sync: {address: '192.168.190.2/29'}}), '/x.toml'), /PLACEHOLDER: this node/)
    // networkd has no trailing comments: a value line never carries one.
    for (const line of text.split('\n')) if (/^[A-Za-z]+=/.test(line)) assert.doesNotMatch(line, /#/, line)
  })
})

describe('networkd: IPv6 on the WAN link and one file at a time', () => {
  const wanOf = (wan: Partial<Config['wan']>) => files(buildExample('networkd', cfg({wan}), '/x.toml'))['/etc/systemd/network/10-wan0-wan.network']
  test('DHCPv6, RAs and link-local IPv6 only with wan.ipv6 and wan.dhcpv6 both on', () => {
    for (const [ipv6, dhcpv6, on] of [[true, true, true], [true, false, false], [false, true, false], [false, false, false]] as const) {
      const wan = wanOf({ipv6, dhcpv6})
      const what = `ipv6=${ipv6} dhcpv6=${dhcpv6}`
      assert.equal(iniValue(wan, 'Network', 'DHCP'), on ? 'yes' : 'ipv4', what)
      assert.equal(iniValue(wan, 'Network', 'IPv6AcceptRA'), on ? 'yes' : 'no', what)
      assert.equal(iniValue(wan, 'Network', 'LinkLocalAddressing'), on ? 'ipv6' : 'no', what)
      assert.equal(iniValue(wan, 'DHCPv6', 'IAID'), on ? '1' : undefined, what)
      assert.equal(iniValue(wan, 'IPv6AcceptRA', 'RouteTable'), on ? '250' : undefined, what)
      // Both nodes hold the same EUI-64 addresses: DAD would mark a booting node's link-local dadfailed (the lab).
      assert.equal(iniValue(wan, 'Network', 'IPv6DuplicateAddressDetection'), on ? '0' : undefined, what)
      // The ISP's host name never renames the node.
      assert.equal(iniValue(wan, 'DHCPv4', 'UseHostname'), 'no', what)
    }
  })

  test('LAN: a /64 of the delegated prefix (SubnetId in hex) when the WAN asks for one; link-local IPv6 with it or lan.ipv6', () => {
    const lanOf = (c: Parameters<typeof cfg>[0]) => files(buildExample('networkd', cfg(c), '/x.toml'))['/etc/systemd/network/20-lan0-lan.network']
    for (const [id, hex] of [[0, '0x0'], [42, '0x2a'], [65535, '0xffff']] as const) {
      const lan = lanOf({wan: {interface: 'ppp0'}, lan: {interface: 'lan0', pd_subnet_id: id}})
      assert.equal(iniValue(lan, 'Network', 'DHCPPrefixDelegation'), 'yes')
      assert.equal(iniValue(lan, 'Network', 'LinkLocalAddressing'), 'ipv6')
      assert.equal(iniValue(lan, 'Network', 'IPv6AcceptRA'), 'no')
      assert.equal(iniValue(lan, 'DHCPPrefixDelegation', 'UplinkInterface'), 'ppp0')
      assert.equal(iniValue(lan, 'DHCPPrefixDelegation', 'SubnetId'), hex)
      assert.equal(iniValue(lan, 'DHCPPrefixDelegation', 'Announce'), 'no')
    }
    for (const wan of [{dhcpv6: false}, {ipv6: false}]) {
      const lan = lanOf({wan, lan: {interface: 'lan0'}})
      assert.equal(iniValue(lan, 'Network', 'DHCPPrefixDelegation'), undefined, JSON.stringify(wan))
      assert.equal(iniValue(lan, 'Network', 'LinkLocalAddressing'), 'no')
      const v6lan = lanOf({wan, lan: {interface: 'lan0', ipv6: true, vip6: 'fd00:1::1/64'}, keepalived: {instance: 'VI_1'}})
      assert.equal(iniValue(v6lan, 'Network', 'LinkLocalAddressing'), 'ipv6', 'VRRPv3 over IPv6 needs the link-local address')
      assert.equal(iniValue(v6lan, 'DHCPPrefixDelegation', 'SubnetId'), undefined)
    }
  })

  test('each file alone is the same file the stream prints, with its own header and no "# file:" line', () => {
    for (const c of [cfg(), cfg({wan: {interface: 'ppp9', link: 'down-on-backup'}, lan: {interface: 'br-lan', address: '10.9.0.2/25', vip: '10.9.0.1'}, sync: {interface: 's0'}})]) {
      const stream = buildExample('networkd', c, '/etc/ha-tool/gw.toml')
      const whole = buildNetworkdFiles(c, '/etc/ha-tool/gw.toml')
      assert.deepEqual(whole.map((f) => f.path), [...stream.matchAll(/^# file: (.*)$/gm)].map((m) => m[1]))
      for (const f of whole) {
        assert.match(f.text, /^# .*by `ha-tool config example`; built from \/etc\/ha-tool\/gw\.toml\.\n\n/)
        assert.doesNotMatch(f.text, /^# file:/m)
        assert.ok(f.text.endsWith('\n') && !f.text.endsWith('\n\n'), f.path)
        const body = f.text.slice(f.text.indexOf('\n\n') + 2)
        assert.ok(stream.includes(`# file: ${f.path}\n${body}`), `${f.path} differs from the stream`)
      }
      for (const [i, name] of (['wan', 'lan', 'sync', 'conf'] as const).entries()) {
        assert.deepEqual(buildNetworkdFiles(c, '/etc/ha-tool/gw.toml', name), [whole[i]])
      }
    }
  })

  test('--output-dir: each file under the directory at its install path; "/" is the install path itself', () => {
    const fs = buildNetworkdFiles(cfg(), undefined)
    for (const [dir, prefix] of [['/tmp/x', '/tmp/x'], ['/tmp/x/', '/tmp/x'], ['/', ''], ['/a/../b', '/b']] as const) {
      const seen: Array<[string, string]> = []
      const written = writeExampleFiles(fs, dir, (p, t) => seen.push([p, t]))
      assert.deepEqual(written, fs.map((f) => `${prefix}${f.path}`), dir)
      assert.deepEqual(seen, fs.map((f) => [`${prefix}${f.path}`, f.text]), dir)
    }
  })
})

describe('nftables', () => {
  test('the forward drop covers the LAN and the VMAC; masquerade out of the WAN', () => {
    const tables = parseNftRuleset(buildExample('nftables', cfg({lan: {interface: 'lan0', vrid: 7}}), undefined))
    const forward = tables.flatMap((t) => t.chains).find((c) => c.hook === 'forward')!
    const drop = forward.rules.find((r) => /drop$/.test(r))!
    assert.deepEqual(ruleInterfaces(drop, 'in'), ['lan0', 'vrrp.7'])
    assert.deepEqual(ruleInterfaces(drop, 'out'), ['lan0', 'vrrp.7'])
    const nat = tables.flatMap((t) => t.chains).find((c) => c.hook === 'postrouting')!
    assert.deepEqual(nat.rules, ['oifname "wan0" masquerade'])
  })

  test('the WAN input takes only answers: established/related accepted, the rest dropped', () => {
    const tables = parseNftRuleset(buildExample('nftables', cfg({wan: {ipv6: false}}), undefined))
    const input = tables.flatMap((t) => t.chains).find((c) => c.hook === 'input')!
    assert.deepEqual(input.rules, ['iifname "wan0" ct state established, related accept', 'iifname "wan0" drop'])
  })

  test('ARP input drops gratuitous requests for the config\'s VIP only (a killed node must not answer the new MASTER\'s)', () => {
    for (const vip of ['192.168.1.3', '10.20.30.254']) {
      const arp = parseNftRuleset(buildExample('nftables', cfg({lan: {vip}}), undefined)).find((t) => t.family === 'arp' && t.name === 'ha_tool_arp')!
      assert.deepEqual(arp.chains.map((c) => [c.hook, c.rules]), [['input', [`arp operation request arp saddr ip ${vip} arp daddr ip ${vip} drop`]]])
    }
  })

  test('the silence table is shown (commented) in keep-up mode with wan.silence = nftables only', () => {
    assert.match(buildExample('nftables', cfg(), undefined), /# table netdev ha_tool_wan_silence \{\n# {3}chain ingress \{ type filter hook ingress device "wan0"/)
    assert.doesNotMatch(buildExample('nftables', cfg({wan: {link: 'down-on-backup'}}), undefined), /table netdev/)
    assert.equal(parseNftRuleset(buildExample('nftables', cfg(), undefined)).some((t) => t.family === 'netdev'), false)
  })
})

test('dnsmasq: the VIP as router and DNS server, the lease file from the config, the hook wrapper', () => {
  const opts = parseDnsmasqConf(buildExample('dnsmasq', cfg({lan: {vip: '10.9.9.3'}, dnsmasq: {leases: '/var/lib/x.leases'}}), undefined))
  assert.deepEqual(dhcpOptionValue(opts, 'router'), ['10.9.9.3'])
  assert.deepEqual(dhcpOptionValue(opts, 'dns-server'), ['10.9.9.3'])
  assert.equal(opts.find((o) => o.name === 'dhcp-leasefile')?.value, '/var/lib/x.leases')
  assert.equal(opts.find((o) => o.name === 'dhcp-script')?.value, '/usr/lib/ha-tool/dnsmasq-script')
  // DNS on the VIP, but no DHCP from the VMAC (a non-MASTER's reply would move the VIP's MAC).
  assert.equal(opts.find((o) => o.name === 'no-dhcp-interface')?.value, 'vrrp.60')
})

describe('dnsmasq, both nodes serving (stop_on_backup = false)', () => {
  const range = (address: string, stopOnBackup: boolean) => {
    const text = buildExample('dnsmasq', cfg({lan: {address, vip: address.replace(/\.\d+\/\d+$/, '.3')}, dnsmasq: {stop_on_backup: stopOnBackup}}), '/x.toml')
    const opts = parseDnsmasqConf(text)
    return {range: opts.find((o) => o.name === 'dhcp-range')?.value, authoritative: opts.some((o) => o.name === 'dhcp-authoritative')}
  }
  test('each node gets its own half of the range, the lower address the lower half, and neither is authoritative', () => {
    for (const [prefix, whole, low, high] of [
      ['24', '192.168.7.4,192.168.7.254', '192.168.7.4,192.168.7.128', '192.168.7.129,192.168.7.254'],
      ['25', '192.168.7.4,192.168.7.126', '192.168.7.4,192.168.7.64', '192.168.7.65,192.168.7.126'],
      ['28', '192.168.7.4,192.168.7.14', '192.168.7.4,192.168.7.8', '192.168.7.9,192.168.7.14'],
      ['29', '192.168.7.4,192.168.7.6', '192.168.7.4,192.168.7.4', '192.168.7.5,192.168.7.6'],
    ]) {
      const one = range(`192.168.7.1/${prefix}`, false)
      const two = range(`192.168.7.2/${prefix}`, false)
      assert.equal(range(`192.168.7.1/${prefix}`, true).range?.split(',').slice(0, 2).join(','), whole)
      assert.equal(one.range?.split(',').slice(0, 2).join(','), low, prefix)
      assert.equal(two.range?.split(',').slice(0, 2).join(','), high, prefix)
      assert.deepEqual([one.authoritative, two.authoritative, range(`192.168.7.1/${prefix}`, true).authoritative], [false, false, true])
    }
  })
  test('each node also lists the peer\'s half, for every message but a DISCOVER (renewals of replicated leases), and only when both serve', () => {
    const lines = (address: string, stopOnBackup: boolean) => {
      const opts = parseDnsmasqConf(buildExample('dnsmasq', cfg({lan: {address, vip: address.replace(/\.\d+\/\d+$/, '.3')}, dnsmasq: {stop_on_backup: stopOnBackup, lease_time: '10m'}}), '/x.toml'))
      return {ranges: opts.filter((o) => o.name === 'dhcp-range').map((o) => o.value), matches: opts.filter((o) => o.name === 'dhcp-match').map((o) => o.value)}
    }
    for (const [prefix, low, high] of [['24', '10.1.2.4,10.1.2.128', '10.1.2.129,10.1.2.254'], ['28', '10.1.2.4,10.1.2.8', '10.1.2.9,10.1.2.14'], ['29', '10.1.2.4,10.1.2.4', '10.1.2.5,10.1.2.6']]) {
      // the lower LAN address (.1) takes the lower half and lists the upper one for renewals; .2 the other way round
      for (const [self, own, peer] of [[`10.1.2.1/${prefix}`, low, high], [`10.1.2.2/${prefix}`, high, low]]) {
        const l = lines(self, false)
        assert.deepEqual(l.matches, ['set:hat-discover,53,1b'], `${self}: option 53 (message type) = 1 tags a DISCOVER`)
        assert.deepEqual(l.ranges, [`${own},10m`, `tag:!hat-discover,${peer},10m`], self)
      }
      assert.deepEqual(lines(`10.1.2.1/${prefix}`, true), {ranges: [`${prefix === '24' ? '10.1.2.4,10.1.2.254' : prefix === '28' ? '10.1.2.4,10.1.2.14' : '10.1.2.4,10.1.2.6'},10m`], matches: []}, 'active/passive: one range, no tag')
    }
  })
  test('a range of one address cannot be split (a guard: the smallest LAN with room, a /29, leaves two)', () => {
    const r = rangeHalf({first: '10.0.0.4', last: '10.0.0.4', size: 1, network: '10.0.0.0/29', prefix: 29}, '10.0.0.1', '10.0.0.2')
    assert.ok('error' in r && /too few to give each node its own part/.test(r.error))
  })
})

describe('dnsmasq settings', () => {
  const parse = (over: Parameters<typeof cfg>[0]) => parseDnsmasqConf(buildExample('dnsmasq', cfg(over), '/x.toml'))
  const value = (opts: ReturnType<typeof parse>, name: string) => opts.find((o) => o.name === name)?.value
  const has = (opts: ReturnType<typeof parse>, name: string) => opts.some((o) => o.name === name)

  test('the dhcp-range follows lan.address\'s prefix, around both nodes and the VIP', () => {
    const range = (address: string, vip: string) => value(parse({lan: {address, vip}}), 'dhcp-range')
    assert.equal(range('192.168.1.1/24', '192.168.1.3'), '192.168.1.4,192.168.1.254,12h')
    assert.equal(range('192.168.1.2/25', '192.168.1.100'), '192.168.1.3,192.168.1.99,12h')
    assert.equal(range('10.20.0.1/22', '10.20.0.3'), '10.20.0.4,10.20.3.254,12h')
    assert.equal(range('172.16.5.129/26', '172.16.5.190'), '172.16.5.131,172.16.5.189,12h')
    assert.equal(range('10.0.0.1/29', '10.0.0.3'), '10.0.0.4,10.0.0.6,12h')
  })

  test('a prefix too small for a range is a config error (exit 78) naming lan.address', () => {
    for (const [address, vip] of [['10.0.0.1/30', '10.0.0.2'], ['10.0.0.1/31', '10.0.0.0'], ['10.0.0.1/32', '10.0.0.1']]) {
      assert.throws(() => buildExample('dnsmasq', cfg({lan: {address, vip}}), '/x.toml'), (e: Error & {exit?: number}) => e.exit === 78 && /^lan\.address = ".*": the .* subnet has no address left for a DHCP range/.test(e.message), address)
    }
  })

  test('leasefile_ro, lease_max, apply and pid_file reach the file', () => {
    const off = parse({dnsmasq: {leasefile_ro: false, lease_max: 0, apply: 'restart'}})
    assert.equal(has(off, 'leasefile-ro'), false)
    assert.equal(has(off, 'dhcp-lease-max'), false)
    assert.equal(has(off, 'enable-dbus'), false)
    const on = parse({dnsmasq: {leasefile_ro: true, lease_max: 250, apply: 'dbus', pid_file: '/run/d.pid'}})
    assert.equal(has(on, 'leasefile-ro'), true)
    assert.equal(value(on, 'dhcp-lease-max'), '250')
    assert.equal(has(on, 'enable-dbus'), true)
    assert.equal(value(on, 'pid-file'), '/run/d.pid')
    assert.equal(value(parse({dnsmasq: {apply: 'dbus', dbus_name: 'org.example.dns'}}), 'enable-dbus'), 'org.example.dns')
    // The default lease_max is dnsmasq's own limit.
    assert.equal(value(parse({}), 'dhcp-lease-max'), '1000')
    // dnsmasq.lease_time: the range's lease time.
    assert.match(value(parse({}), 'dhcp-range') ?? '', /,12h$/)
    assert.match(value(parse({dnsmasq: {lease_time: '600'}}), 'dhcp-range') ?? '', /,600$/)
  })
})

test('conntrackd: FTFW with the external cache kept, addresses from the sync link', () => {
  const text = buildExample('conntrackd', cfg({sync: {interface: 'sync0', address: '10.5.5.2/29'}}), '/etc/ha-tool/config.toml')
  const {conf} = parseConntrackdConf(text)
  assert.equal(conf.mode, 'FTFW')
  assert.equal(conf.externalCache, true)
  assert.equal(conf.socketPath, '/var/run/conntrackd.ctl')
  assert.deepEqual(conf.channels.map((c) => [c.transport, c.interface, c.address, c.peer]), [['UDP', 'sync0', '10.5.5.2', '10.5.5.1']])
})

test('conntrackd: socket, lock file and log file from the config (two conntrackd on one host)', () => {
  const general = (text: string) => parseBraceConf(text).find((n) => n.key === 'General')!.children
  const defaults = general(buildExample('conntrackd', cfg(), '/x.toml'))
  assert.deepEqual(defaults.find((n) => n.key === 'LogFile')?.args, ['on'])
  assert.deepEqual(defaults.find((n) => n.key === 'LockFile')?.args, ['/var/lock/conntrackd.lock'])
  const text = buildExample('conntrackd', cfg({conntrackd: {socket: '/run/n2/ct.ctl', lock_file: '/run/n2/ct.lock', log_file: '/var/log/n2/ct.log'}}), '/x.toml')
  assert.equal(parseConntrackdConf(text).conf.socketPath, '/run/n2/ct.ctl')
  assert.deepEqual(general(text).find((n) => n.key === 'LockFile')?.args, ['/run/n2/ct.lock'])
  assert.deepEqual(general(text).find((n) => n.key === 'LogFile')?.args, ['/var/log/n2/ct.log'])
})

test('ha-tool: the config itself, as it is (fifo "" = <state.dir>/notify.fifo, what the keepalived example writes)', () => {
  const text = buildExample('ha-tool', cfg(), undefined)
  assert.match(text, /\[keepalived\][^[]*\nfifo = ""/)
  assert.match(text, /"" = <state\.dir>\/notify\.fifo/)
  assert.match(buildExample('ha-tool', cfg({keepalived: {fifo: '/run/k/f'}}), '/x.toml'), /\[keepalived\][^[]*\nfifo = "\/run\/k\/f"/)
  assert.match(text, /\[wan\][^[]*\ninterface = "wan0"/)
})
