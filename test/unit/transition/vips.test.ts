import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {parseKeepalivedVips, planVipRelease} from '../../../src/core/keepalived/vips.js'
import {planTransition} from '../../../src/core/transition/plan.js'

describe('keepalived VIPs', () => {
  it('reads virtual_ipaddress and _excluded blocks, with prefixes, devices and comments', () => {
    const conf = `
vrrp_instance VI_1 {
  interface lan0   # the LAN
  virtual_ipaddress {
    192.168.1.3/24 dev vrrp.60
    192.168.1.4   ! a second one
    # 192.168.1.99 commented out
  }
  virtual_ipaddress_excluded {
    2001:db8::3/64
  }
  virtual_routes {
    10.0.0.0/8 via 192.168.1.254
  }
}
vrrp_instance VI_2 { virtual_ipaddress { 10.9.9.9 } }
`
    assert.deepEqual(parseKeepalivedVips(conf), ['192.168.1.3', '192.168.1.4', '2001:db8::3'])
  })
  it('releases a VMAC whole and a plain VIP address alone', () => {
    const addrs = [
      {ifname: 'lan0', addr_info: [{local: '192.168.1.1', prefixlen: 24}, {local: '192.168.1.4', prefixlen: 24}]},
      {ifname: 'vrrp.60', linkinfo: {info_kind: 'macvlan'}, addr_info: [{local: '192.168.1.3', prefixlen: 24}]},
      {ifname: 'macvlan-other', linkinfo: {info_kind: 'macvlan'}, addr_info: [{local: '10.0.0.1', prefixlen: 8}]},
    ]
    assert.deepEqual(planVipRelease(['192.168.1.3', '192.168.1.4'], addrs), {links: ['vrrp.60'], addresses: [{address: '192.168.1.4/24', dev: 'lan0'}]})
    assert.deepEqual(planVipRelease(['192.168.1.3'], [{ifname: 'lan0', addr_info: [{local: '192.168.1.1', prefixlen: 24}]}]), {links: [], addresses: []})
  })
  it('the watchdog\'s STOP carries a vip.release step; a MASTER never does', () => {
    const wan = {interface: 'wan0', table: 250, rule_priority: 32770, rule_protocol: 73, ipv6: true, dhcpv6: false, link: 'keep-up' as const, link_via: 'netlink' as const, renew: 'none' as const, silence: 'none' as const, up_timeout_ms: 1000, network_file: ''}
    const observed = {ruleCount: 1, link: {exists: true, adminUp: true, carrier: true}, hasAddress: true, hasDefaultRoute: true, silenced: false}
    assert.deepEqual(planTransition({role: 'STOP', wan, observed, releaseVips: {config: '/etc/keepalived/keepalived.conf'}}).map((s) => s.kind), ['vip.release', 'rule.del'])
  })
  it('releases the VIP first, together with the rules, before the slower conntrackd and dnsmasq steps', () => {
    // A VIP still here after the peer took over answers the LAN's ARP with the virtual MAC and teaches the switch the old port.
    const wan = {interface: 'wan0', table: 250, rule_priority: 32770, rule_protocol: 73, ipv6: true, dhcpv6: false, link: 'keep-up' as const, link_via: 'netlink' as const, renew: 'none' as const, silence: 'nftables' as const, up_timeout_ms: 1000, network_file: ''}
    const observed = {ruleCount: 1, rule6Count: 1, link: {exists: true, adminUp: true, carrier: true}, hasAddress: true, hasDefaultRoute: true, silenced: false}
    const afterWan = [{kind: 'dnsmasq.stop' as const, args: {}, why: 'stop dnsmasq', critical: false}]
    const plan = planTransition({role: 'STOP', previousRole: 'MASTER', wan, observed, slots: {afterWan} as never, releaseVips: {config: '/k.conf'}})
    assert.deepEqual(plan.map((s) => `${s.concurrent ? '+' : ''}${s.kind}`), ['vip.release', '+rule.del', '+rule.del', 'silence.apply', 'dnsmasq.stop'])
    // Without the release (a keepalived STOP event) the rules still go first, the IPv6 one beside the IPv4 one.
    assert.deepEqual(planTransition({role: 'STOP', previousRole: 'MASTER', wan, observed}).map((s) => `${s.concurrent ? '+' : ''}${s.kind}`), ['rule.del', '+rule.del', 'silence.apply'])
  })
})
