// doctor's dnsmasq-script (the wrapper's state_dir against state.dir), dnsmasq-version (the installed dnsmasq
// against what the config's dnsmasq example needs) and wan-dhcpv6-restart (keep-up + DHCPv6 with nothing to
// restart networkd's DHCP clients) checks, on a node written from `config example` output.
import assert from 'node:assert/strict'
import {readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, test} from 'node:test'
import {buildExample} from '../../../src/app/config-example.js'
import {dhcpv6WaitsForBackoff} from '../../../src/app/doctor/wan-dhcpv6-restart.js'
import type {Config} from '../../../src/config/schema.js'
import {check, dnsmasqVersion, doctor, fakeExec, goodNode, keepalivedOk, type Node, nodeConfig} from './fixture.js'

let node: Node | undefined
afterEach(() => node?.cleanup())
const withDir = (dir: string): Config => ({...nodeConfig(), state: {...nodeConfig().state, dir}})
const dualStack = (): Config => {
  const c = nodeConfig()
  return {...c, lan: {...c.lan, ipv6: true, vip6: 'fd00:1::1/64'}, keepalived: {...c.keepalived, instance: 'VI_gateway'}}
}

describe('dnsmasq-script', () => {
  test('the shipped wrapper with the default state.dir, and the generated one with another: pass', async () => {
    node = goodNode()
    const shipped = check(await doctor(node), 'dnsmasq-script')
    assert.equal(shipped.status, 'pass', shipped.detail)
    assert.equal(shipped.detail, 'dhcp-script /usr/lib/ha-tool/dnsmasq-script: state_dir=/run/ha-tool')
    node.cleanup()
    node = goodNode(withDir('/run/gw'))
    const own = check(await doctor(node), 'dnsmasq-script')
    assert.equal(own.status, 'pass', own.detail)
    assert.equal(own.detail, 'dhcp-script /etc/ha-tool/dnsmasq-script: state_dir=/run/gw')
  })

  test('the wrapper\'s hook must read this node\'s config: the shipped one (default path) fits only the default', async () => {
    node = goodNode()
    assert.equal(check(await doctor(node, {configPath: '/etc/ha-tool/config.toml'}), 'dnsmasq-script').status, 'pass')
    const other = check(await doctor(node, {configPath: '/etc/ha-tool/gw1.toml'}), 'dnsmasq-script')
    assert.equal(other.status, 'warn')
    assert.equal(other.detail, 'dhcp-script /usr/lib/ha-tool/dnsmasq-script runs `ha-tool leases hook` with the default config (/etc/ha-tool/config.toml), but this node\'s config is /etc/ha-tool/gw1.toml: lease changes the hook handles go by that config\'s peer and lease file')
    assert.match(other.fix ?? '', /config example dnsmasq-script/)
    // The wrapper `config example dnsmasq-script --config /etc/ha-tool/gw1.toml` prints, installed where it says.
    node.write('/etc/ha-tool/dnsmasq-script', buildExample('dnsmasq-script', node.config, '/etc/ha-tool/gw1.toml'), 0o755)
    node.write('/etc/dnsmasq.conf', readFileSync(join(node.root, 'etc/dnsmasq.conf'), 'utf8').replace(/^dhcp-script=.*$/m, 'dhcp-script=/etc/ha-tool/dnsmasq-script'))
    assert.equal(check(await doctor(node, {configPath: '/etc/ha-tool/gw1.toml'}), 'dnsmasq-script').status, 'pass')
    assert.equal(check(await doctor(node, {configPath: '/etc/ha-tool/config.toml'}), 'dnsmasq-script').status, 'warn', 'and it does not fit the default one')
  })

  test('the shipped wrapper under a config with another state.dir: warn, with the fix', async () => {
    node = goodNode()
    const c = check(await doctor(node, {config: withDir('/run/gw')}), 'dnsmasq-script')
    assert.equal(c.status, 'warn')
    assert.match(c.detail, /^dhcp-script \/usr\/lib\/ha-tool\/dnsmasq-script has state_dir=\/run\/ha-tool, but state\.dir is \/run\/gw: the daemon's lease-file watch never sees it/)
    assert.equal(c.fix, 'install `ha-tool config example dnsmasq-script` as /etc/ha-tool/dnsmasq-script (mode 0755) and set dhcp-script=/etc/ha-tool/dnsmasq-script')
  })

  test('a missing script fails; a script that is not the wrapper passes; no dhcp-script or no dnsmasq.conf skips', async () => {
    node = goodNode()
    const conf = join(node.root, node.config.doctor.dnsmasq_conf)
    rmSync(join(node.root, '/usr/lib/ha-tool/dnsmasq-script'))
    assert.equal(check(await doctor(node), 'dnsmasq-script').status, 'fail')
    node.write('/usr/lib/ha-tool/dnsmasq-script', '#!/bin/sh\nexec /usr/sbin/ha-tool leases hook "$@"\n', 0o755)
    assert.match(check(await doctor(node), 'dnsmasq-script').detail, /is not ha-tool's wrapper/)
    node.write(node.config.doctor.dnsmasq_conf, readFileSync(conf, 'utf8').replace(/^dhcp-script=.*\n/m, ''))
    assert.equal(check(await doctor(node), 'dnsmasq-script').status, 'skip')
    rmSync(conf)
    assert.equal(check(await doctor(node), 'dnsmasq-script').status, 'skip')
  })
})

describe('dnsmasq-version', () => {
  const run = async (version: string) => check(await doctor(node!, {exec: fakeExec((a) => keepalivedOk(a) ?? dnsmasqVersion(version)(a))}), 'dnsmasq-version')

  test('a dual-stack config on dnsmasq 2.89 (Debian 12) fails naming no-dhcpv6-interface; 2.90 passes', async () => {
    node = goodNode(dualStack())
    const old = await run('2.89')
    assert.equal(old.status, 'fail')
    assert.equal(old.detail, 'dnsmasq 2.89 is older than what `config example dnsmasq` prints for this config: no-dhcpv6-interface (dnsmasq 2.90); it will not start with that dnsmasq.conf')
    assert.equal(old.fix, 'install dnsmasq 2.90 or later (e.g. from your distribution\'s backports)')
    const now = await run('2.90')
    assert.equal(now.status, 'pass', now.detail)
    assert.equal(now.detail, 'dnsmasq 2.90; the example needs 2.90 (no-dhcpv6-interface)')
  })

  test('an IPv4-only config: 2.89 passes, only a dnsmasq before 2.63 (bind-dynamic) fails', async () => {
    node = goodNode()
    assert.equal((await run('2.89')).status, 'pass')
    const ancient = await run('2.62')
    assert.equal(ancient.status, 'fail')
    assert.match(ancient.detail, /: bind-dynamic \(dnsmasq 2\.63\);/)
  })

  test('no dnsmasq installed, or no version in its answer: skip', async () => {
    node = goodNode()
    const none = check(await doctor(node, {exec: fakeExec(keepalivedOk)}), 'dnsmasq-version')
    assert.equal(none.status, 'skip')
    assert.match(none.detail, /^cannot run `dnsmasq --version` here: dnsmasq: not installed/)
    const odd = check(await doctor(node, {exec: fakeExec((a) => keepalivedOk(a) ?? (a[0] === 'dnsmasq' ? {stdout: 'something else\n'} : undefined))}), 'dnsmasq-version')
    assert.equal(odd.status, 'skip')
  })
})

describe('wan-dhcpv6-restart', () => {
  const flagged = {link: 'keep-up', ipv6: true, dhcpv6: true, renew: 'none', link_via: 'netlink'} as const

  test('fires for keep-up + wan.ipv6 + wan.dhcpv6 + renew none + link_via netlink (the defaults), and for no other', () => {
    assert.equal(dhcpv6WaitsForBackoff(flagged), true)
    assert.equal(dhcpv6WaitsForBackoff({...flagged, link: 'down-on-backup'}), false)
    assert.equal(dhcpv6WaitsForBackoff({...flagged, ipv6: false}), false)
    assert.equal(dhcpv6WaitsForBackoff({...flagged, dhcpv6: false}), false)
    assert.equal(dhcpv6WaitsForBackoff({...flagged, renew: 'networkd'}), false)
    assert.equal(dhcpv6WaitsForBackoff({...flagged, link_via: 'networkd'}), false)
  })

  test('doctor warns on the default WAN settings, with the key to set; passes with renew = "networkd"', async () => {
    node = goodNode()
    const c = nodeConfig()
    const defaults = {...c, wan: {...c.wan, link: 'keep-up', link_via: 'netlink', renew: 'none'}} satisfies Config
    const w = check(await doctor(node, {config: defaults}), 'wan-dhcpv6-restart')
    assert.equal(w.status, 'warn')
    assert.match(w.detail, /waits for networkd's DHCPv6 Solicit backoff \(up to 3600 s\)/)
    assert.equal(w.fix, 'set wan.renew = "networkd"')
    const ok = check(await doctor(node, {config: {...defaults, wan: {...defaults.wan, renew: 'networkd'}}}), 'wan-dhcpv6-restart')
    assert.equal(ok.status, 'pass')
    assert.match(ok.detail, /wan\.renew = "networkd"/)
    assert.equal(check(await doctor(node), 'wan-dhcpv6-restart').status, 'pass', 'down-on-backup (the fixture)')
  })
})
