// vip.release: the VIPs from keepalived.conf when readable, else keepalived's VMAC links from the kernel.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import type {IpRoute} from '../../../src/adapters/iproute.js'
import {silentLogger} from '../../../src/adapters/log.js'
import {createVipExecutors} from '../../../src/app/steps/vip.js'

const ADDRS = [
  {ifname: 'lan0', linkinfo: {info_kind: 'veth'}, addr_info: [{local: '192.168.7.1', prefixlen: 25}, {local: '192.168.7.126', prefixlen: 25}]},
  {ifname: 'vrrp.60', linkinfo: {info_kind: 'macvlan'}, addr_info: [{local: '192.168.7.3', prefixlen: 32}]},
  {ifname: 'vrrp.61', linkinfo: {info_kind: 'macvlan'}, addr_info: []},
  {ifname: 'mv-guest', linkinfo: {info_kind: 'macvlan'}, addr_info: [{local: '10.1.0.1', prefixlen: 8}]},
]

function fakeIp() {
  const done: string[] = []
  const ip = {addresses: async () => ADDRS, linkDel: async (dev: string) => { done.push(`link del ${dev}`) }, addrDel: async (a: string, dev: string) => { done.push(`addr del ${a} dev ${dev}`) }} as unknown as IpRoute
  return {ip, done}
}
const step = (config: string) => ({kind: 'vip.release' as const, args: {config}, why: '', critical: false})

describe('vip.release', () => {
  it('keepalived.conf readable: its VIPs, wherever they sit (a VMAC goes whole)', async () => {
    const {ip, done} = fakeIp()
    const conf = 'vrrp_instance V {\n  virtual_ipaddress {\n    192.168.7.3/32 dev vrrp.60\n    192.168.7.126/25\n  }\n}\n'
    const r = await createVipExecutors(ip, () => conf)['vip.release'](step('/etc/keepalived/keepalived.conf'), {log: silentLogger})
    assert.deepEqual(done, ['link del vrrp.60', 'addr del 192.168.7.126/25 dev lan0'])
    assert.match(String(r?.detail), /from \/etc\/keepalived\/keepalived\.conf/)
  })
  it('keepalived.conf unreadable: keepalived\'s VMAC links (vrrp.*) from the kernel, nothing else', async () => {
    const {ip, done} = fakeIp()
    const r = await createVipExecutors(ip, (p) => { throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), {code: 'ENOENT'}) })['vip.release'](step('/nowhere/keepalived.conf'), {log: silentLogger})
    assert.deepEqual(done, ['link del vrrp.60', 'link del vrrp.61'])
    assert.match(String(r?.detail), /from the kernel; cannot read \/nowhere\/keepalived\.conf/)
  })
  it('nothing held: skipped, saying where it looked', async () => {
    const ip = {addresses: async () => [ADDRS[0]]} as unknown as IpRoute
    const r = await createVipExecutors(ip, () => 'vrrp_instance V {\n virtual_ipaddress {\n  10.9.9.9\n }\n}\n')['vip.release'](step('/k.conf'), {log: silentLogger})
    assert.deepEqual(r, {skipped: true, detail: 'no VIP held here (from /k.conf)'})
  })
})
