// doctor's lan-ipv6 check against a dual-stack node written from `config example` output (lan.ipv6),
// then with one IPv6 trap planted at a time: each must fail (or warn) naming what is wrong.
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {afterEach, beforeEach, describe, test} from 'node:test'
import {check, doctor, goodNode, type Node, nodeConfig} from './fixture.js'

let node: Node
const dualStack = () => {
  const c = nodeConfig()
  return {...c, lan: {...c.lan, ipv6: true, vip6: 'fd00:1::1/64'}, keepalived: {...c.keepalived, instance: 'VI_gateway'}}
}
beforeEach(() => {
  node = goodNode(dualStack())
  node.write('/proc/sys/net/ipv6/conf/all/forwarding', '1\n')
})
afterEach(() => node.cleanup())

function edit(path: string, from: string | RegExp, to: string): void {
  const file = node.root + path
  const text = readFileSync(file, 'utf8')
  assert.ok(typeof from === 'string' ? text.includes(from) : from.test(text), `${path} does not contain ${from}`)
  writeFileSync(file, text.replace(from, to))
}
const ka = () => node.config.keepalived.config
const dm = () => node.config.doctor.dnsmasq_conf

describe('doctor lan-ipv6 on a dual-stack node', () => {
  test('the examples pass, and so does everything else', async () => {
    const report = await doctor(node)
    assert.equal(check(report, 'lan-ipv6').status, 'pass', check(report, 'lan-ipv6').detail)
    assert.match(check(report, 'lan-ipv6').detail, /VI_gateway_6 \(fe80::1 on vrrp6\.60\) in a sync group with VI_gateway/)
    assert.deepEqual(report.checks.filter((c) => c.status === 'fail' || c.status === 'warn'), [])
    assert.match(check(report, 'sysctl').detail, /IPv6 forwarding = 1/)
  })

  test('the IPv6 instance outside the sync group', async () => {
    edit(ka(), /^ {4}VI_gateway_6\n/m, '')
    const c = check(await doctor(node), 'lan-ipv6')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /no vrrp_sync_group holds both VI_gateway_6 and keepalived\.instance "VI_gateway"/)
  })

  test('no IPv6 instance at all, or one without use_vmac', async () => {
    edit(ka(), 'fe80::1/64', 'fe80::99/64')
    assert.match(check(await doctor(node), 'lan-ipv6').detail, /no vrrp_instance has the link-local VIP fe80::1/)
    edit(ka(), 'fe80::99/64', 'fe80::1/64')
    edit(ka(), /(vrrp_instance VI_gateway_6 \{[^]*?)\n {2}use_vmac\n/, '$1\n')
    assert.match(check(await doctor(node), 'lan-ipv6').detail, /VI_gateway_6 .*no use_vmac/)
  })

  test('RAs from the base interface (the node\'s own link-local), or none at all', async () => {
    edit(dm(), 'ra-param=vrrp6.60', 'ra-param=ens6')
    let c = check(await doctor(node), 'lan-ipv6')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /off vrrp6\.60: ra-param ens6,high,30,1800 \(line \d+\)/)
    edit(dm(), 'ra-param=ens6', 'ra-param=vrrp6.60')
    edit(dm(), 'constructor:vrrp6.60', 'constructor:ens6')
    assert.match(check(await doctor(node), 'lan-ipv6').detail, /dhcp-range constructor:ens6/)
    edit(dm(), 'constructor:ens6', 'constructor:vrrp6.60')
    edit(dm(), /^enable-ra\n/m, '')
    c = check(await doctor(node), 'lan-ipv6')
    assert.match(c.detail, /no enable-ra/)
  })

  test('RAs not barred from the base interface: it holds the delegated prefix\'s address, so dnsmasq advertises from there too', async () => {
    edit(dm(), /^no-dhcpv6-interface=ens6\n/m, '')
    const c = check(await doctor(node), 'lan-ipv6')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /no no-dhcpv6-interface=ens6, so dnsmasq also advertises from ens6/)
  })

  test('notify scripts only: warned, the delegated prefix would follow a renumbering only at the next transition', async () => {
    edit(ka(), /^\s*vrrp_notify_fifo .*\n/m, '')
    const c = check(await doctor(node), 'lan-ipv6')
    assert.equal(c.status, 'warn', c.detail)
    assert.match(c.detail, /notify scripts only .*reaches the router advertisements only at the next transition/)
  })

  test('IPv6 forwarding off', async () => {
    node.write('/proc/sys/net/ipv6/conf/all/forwarding', '0\n')
    const c = check(await doctor(node), 'sysctl')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /net\.ipv6\.conf\.all\.forwarding = 0 with lan\.ipv6 = true/)
  })

  test('lan.ipv6 = false but dnsmasq sends RAs: warned', async () => {
    const c = nodeConfig()
    const report = await doctor(node, {config: {...c, keepalived: {...c.keepalived, instance: 'VI_gateway'}}})
    assert.equal(check(report, 'lan-ipv6').status, 'warn')
    assert.match(check(report, 'lan-ipv6').detail, /enable-ra, but lan\.ipv6 = false/)
  })
})
