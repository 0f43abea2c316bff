import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {ipEventMatters, nftEventMatters, type WanScope} from '../../../src/core/iproute/wan-event.js'

const scope: WanScope = {dev: 'wan0', table: 250, silenceTable: 'ha_tool_wan_silence'}

// Lines as `ip -o -N monitor label rule link address route` printed them in a namespace (iproute2 6.1).
const KEEPALIVED_TAKEOVER = [
  '[LINK]6: vrrp.51@lan0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default \\    link/ether 00:00:5e:00:01:33 brd ff:ff:ff:ff:ff:ff',
  '[LINK]6: vrrp.51@lan0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default \\    link/ether 00:00:5e:00:01:33 brd ff:ff:ff:ff:ff:ff',
  '[ROUTE]multicast ff00::/8 dev vrrp.51 table 255 proto kernel metric 256 pref medium',
  '[ROUTE]fe80::/64 dev vrrp.51 proto kernel metric 256 pref medium',
  '[ADDR]6: vrrp.51    inet 10.0.0.254/24 scope global vrrp.51\\       valid_lft forever preferred_lft forever',
  '[ROUTE]local 10.0.0.254 dev vrrp.51 table 255 proto kernel scope host src 10.0.0.254 ',
  '[ROUTE]10.0.0.0/24 dev vrrp.51 proto kernel scope link src 10.0.0.254 ',
  '[ROUTE]broadcast 10.0.0.255 dev vrrp.51 table 255 proto kernel scope link src 10.0.0.254 ',
  '[ADDR]Deleted 6: vrrp.51    inet 10.0.0.254/24 scope global vrrp.51\\       valid_lft forever preferred_lft forever',
  '[LINK]5: lan0@lanp: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default \\    link/ether 72:1c:95:1c:2f:78 brd ff:ff:ff:ff:ff:ff',
]
const WAN_CHANGES = [
  '[RULE]32770:\tfrom all lookup 250',
  '[RULE]Deleted 32770:\tfrom all lookup 250',
  '[LINK]3: wan0@wanp: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN group default \\    link/ether 62:35:4e:39:b7:a1 brd ff:ff:ff:ff:ff:ff',
  '[LINK]3: wan0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc fq_codel state DOWN group default \\    link/ether 62:35:4e:39:b7:a1 brd ff:ff:ff:ff:ff:ff',
  '[ADDR]3: wan0    inet 198.51.100.10/24 scope global wan0\\       valid_lft forever preferred_lft forever',
  '[ADDR]Deleted 3: wan0    inet 198.51.100.10/24 scope global wan0\\       valid_lft forever preferred_lft forever',
  '[ROUTE]default via 198.51.100.1 dev wan0 table 250 ',
  '[ROUTE]Deleted default via fe80::1 dev wan0 table 250 metric 1024 pref medium',
  'something iproute2 prints that this parser does not know',
]

describe('which kernel events can change the observed WAN', () => {
  it('keepalived\'s own changes at a take-over (VMAC link, VIP, their routes) leave the view valid', () => {
    for (const line of KEEPALIVED_TAKEOVER) assert.equal(ipEventMatters(line, scope), false, line)
  })
  it('rules, the WAN link, its addresses and the WAN table\'s routes count, and so does a line it cannot read', () => {
    for (const line of WAN_CHANGES) assert.equal(ipEventMatters(line, scope), true, line)
  })
  it('a delegated prefix that comes or goes counts (networkd\'s unreachable route, as `ip -o -N monitor` printed it, iproute2 6.1)', () => {
    for (const l of ['[ROUTE]7 2001:db8:ff::/56 dev lo proto 16 metric 1024 pref medium', '[ROUTE]Deleted 7 2001:db8:ff::/56 dev lo proto 16 metric 1024 pref medium']) assert.equal(ipEventMatters(l, scope), true, l)
    // A user's unreachable route of another protocol in main does not.
    assert.equal(ipEventMatters('[ROUTE]7 2001:db8:ee::/48 dev lo proto 3 metric 1024 pref medium', scope), false)
  })
  it('another WAN name or table: the same lines count the other way', () => {
    assert.equal(ipEventMatters('[ADDR]3: wan0    inet 198.51.100.10/24 scope global wan0', {...scope, dev: 'wan1'}), false)
    assert.equal(ipEventMatters('[ROUTE]default via 198.51.100.1 dev wan0 table 250 ', {...scope, table: 251}), false)
    // the main table is not printed: with wan.table 254 every route without a table counts
    assert.equal(ipEventMatters('[ROUTE]default via 198.51.100.1 dev wan0 ', {...scope, table: 254}), true)
    assert.equal(ipEventMatters('[ROUTE]default via 198.51.100.1 dev wan0 ', scope), false)
  })
  it('nft monitor: the silence table\'s events count, other tables\' and generation comments do not', () => {
    for (const line of ['add table netdev ha_tool_wan_silence', 'add rule netdev ha_tool_wan_silence gate accept', 'delete rule netdev ha_tool_wan_silence gate handle 2', 'delete table netdev ha_tool_wan_silence']) assert.equal(nftEventMatters(line, scope), true, line)
    for (const line of ['# new generation 4 by process 20667 (nft)', 'add table inet other', 'add rule inet ha_tool_filter forward drop', '']) assert.equal(nftEventMatters(line, scope), false, line)
  })
})
