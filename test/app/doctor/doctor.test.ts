// doctor against a good node written from `config example` output, then against the same node
// with one trap planted at a time: each must fail (or warn) naming what is wrong and the fix.
import assert from 'node:assert/strict'
import {chmodSync, chownSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, test} from 'node:test'
import {CHECKS} from '../../../src/app/doctor/checks.js'
import {check, doctor, fakeExec, goodNode, keepalivedOk, type Node, nodeConfig} from './fixture.js'

let node: Node
beforeEach(() => { node = goodNode() })
afterEach(() => node.cleanup())

/** Rewrites a file of the node with a text replacement (asserting the text was there). */
function edit(path: string, from: string | RegExp, to: string): void {
  const fs = node.root + path
  const text = readFileSync(fs, 'utf8')
  assert.ok(typeof from === 'string' ? text.includes(from) : from.test(text), `${path} does not contain ${from}`)
  writeFileSync(fs, text.replace(from, to))
}

describe('a node set up from `config example` output', () => {
  test('passes every file check (the live-only ones skip under --root)', async () => {
    const report = await doctor(node)
    const notPass = report.checks.filter((c) => c.status !== 'pass' && c.status !== 'skip')
    assert.deepEqual(notPass, [])
    assert.equal(report.ok, true)
    const skipped = report.checks.filter((c) => c.status === 'skip').map((c) => c.id).sort()
    assert.deepEqual(skipped, ['conntrackd-peer-channel', 'lan-ipv6', 'peer-config', 'peer-ssh', 'wan-link', 'wan-rule-foreign', 'wan-rule-ipv6'])
    assert.equal(report.checks.length, CHECKS.length)
  })

  test('script mode passes too', async () => {
    const {buildExample} = await import('../../../src/app/config-example.js')
    // with health targets: without them the example has no check script (it would exit 2)
    const config = {...node.config, health: {...node.config.health, targets: ['192.0.2.1']}}
    writeFileSync(join(node.root, node.config.keepalived.config), buildExample('keepalived', config, '/etc/ha-tool/config.toml', 'script'))
    const report = await doctor(node)
    assert.equal(check(report, 'keepalived-calls-ha-tool').status, 'pass')
    assert.match(check(report, 'keepalived-calls-ha-tool').detail, /notify \(line \d+\).*track_script/)
  })
})

describe('planted traps', () => {
  test('the interpreter looked up on PATH (#!/usr/bin/env node): warn; under a group-writable directory: fail', async () => {
    writeFileSync(join(node.root, 'usr/lib/ha-tool/bin/run.js'), '#!/usr/bin/env node\n')
    const env = check(await doctor(node), 'interpreter')
    assert.equal(env.status, 'warn')
    assert.match(env.detail, /node is looked up on keepalived's PATH/)
    mkdirSync(join(node.root, 'usr/local/bin'), {recursive: true})
    chownSync(join(node.root, 'usr/local'), 0, 50)
    chmodSync(join(node.root, 'usr/local'), 0o2775)
    writeFileSync(join(node.root, 'usr/local/bin/node'), '', {mode: 0o755})
    writeFileSync(join(node.root, 'usr/lib/ha-tool/bin/run.js'), '#!/usr/local/bin/node\n')
    const local = check(await doctor(node), 'interpreter')
    assert.equal(local.status, 'fail')
    assert.match(local.detail, /\/usr\/local: group-writable \(mode 2775, gid 50\)/)
    assert.equal(local.fix, 'chmod g-w /usr/local')
  })

  test('state.dir writable by others, a drop-in directory systemd-network cannot read, a lock not made by root', async () => {
    const state = join(node.root, node.config.state.dir)
    mkdirSync(state, {recursive: true})
    assert.equal(check(await doctor(node), 'directory-modes').status, 'pass')
    chmodSync(state, 0o777)
    const open = check(await doctor(node), 'directory-modes')
    assert.equal(open.status, 'fail')
    assert.match(open.detail, /state\.dir \/run\/ha-tool is writable by its group \(mode 0777\): a local user could take the node lock/)
    chmodSync(state, 0o755)
    writeFileSync(join(state, 'lock'), '')
    chownSync(join(state, 'lock'), 65534, 65534)
    assert.equal(check(await doctor(node), 'lock').status, 'fail')
    node.config.wan.link_via = 'networkd'
    const dropins = join(node.root, node.config.wan.networkd_runtime_dir, '10-wan.network.d')
    mkdirSync(dropins, {recursive: true})
    chmodSync(dropins, 0o700)
    const unreadable = check(await doctor(node), 'directory-modes')
    assert.equal(unreadable.status, 'fail')
    assert.match(unreadable.detail, /10-wan\.network\.d is mode 0700: systemd-network cannot read the drop-in/)
  })

  test('ha-tool under a group-writable /usr/local (Debian root:staff 2775)', async () => {
    mkdirSync(join(node.root, 'usr/local/bin'), {recursive: true})
    chownSync(join(node.root, 'usr/local'), 0, 50)
    chmodSync(join(node.root, 'usr/local'), 0o2775)
    writeFileSync(join(node.root, 'usr/local/bin/ha-tool'), '#!/bin/sh\n', {mode: 0o755})
    edit(node.config.keepalived.config, 'vrrp_notify_fifo /run/ha-tool/notify.fifo', 'vrrp_notify_fifo /run/ha-tool/notify.fifo\n  vrrp_notify_fifo_script "/usr/local/bin/ha-tool daemon"')
    const c = check(await doctor(node), 'binary-security')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /\/usr\/local: group-writable \(mode 2775, gid 50\)/)
    assert.match(c.fix!, /scripts\/install.*not under \/usr\/local/)
  })

  test('a world-writable directory on the symlink target\'s chain', async () => {
    chmodSync(join(node.root, 'usr/lib/ha-tool/bin'), 0o777)
    const c = check(await doctor(node), 'binary-security')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /\/usr\/lib\/ha-tool\/bin: world-writable \(mode 0777\)/)
    assert.equal(c.fix, 'chmod o-w /usr/lib/ha-tool/bin')
  })

  test('the binary owned by a user', async () => {
    chownSync(join(node.root, 'usr/lib/ha-tool/bin/run.js'), 1000, 1000)
    const c = check(await doctor(node), 'binary-security')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /run\.js: owned by uid 1000, not root/)
    assert.equal(c.fix, 'chown root /usr/lib/ha-tool/bin/run.js')
  })

  test('ha-tool not installed', async () => {
    unlinkSync(join(node.root, 'usr/sbin/ha-tool'))
    const c = check(await doctor(node), 'binary-security')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /\/usr\/sbin\/ha-tool: not found/)
  })

  test('keepalived -t judged on exit status and output together (as keepalived 2.2.7 prints them)', async () => {
    const run = async (code: number, stderr: string, version = 'Keepalived v2.2.7 (01/16,2022)\n') => check(await doctor(node, {exec: fakeExec((argv) => (argv[0] !== 'keepalived' ? undefined : argv[1] === '-v' ? {stderr: version} : {code, stderr}))}), 'keepalived-test')
    const viol = await run(6, 'SECURITY VIOLATION - scripts are being executed but script_security not enabled.\n')
    assert.equal(viol.status, 'fail')
    assert.match(viol.detail, /^keepalived 2\.2\.7 -t: exit 6 \(script security violation\): SECURITY VIOLATION/)
    assert.match(viol.fix!, /enable_script_security.*script_user root/)
    const unk = await run(5, "(/etc/keepalived/keepalived.conf: Line 9) Unknown keyword 'bogus_keyword'\n")
    assert.equal(unk.status, 'fail')
    assert.match(unk.detail, /exit 5 \(configuration errors\): .*Line 9\) Unknown keyword 'bogus_keyword'/)
    const track = await run(5, 'Disabling track script c since not found/accessible\n')
    assert.match(track.fix!, /scripts\/install/)
    // Exit 0 with something printed is not a clean pass; exit 0 silent is.
    assert.equal((await run(0, '(VI_1) interface x does not support multicast, specify unicast peers - disabling\n')).status, 'warn')
    assert.equal((await run(0, '')).status, 'pass')
    // A status with nothing printed still fails, and another version says whose exit codes were used.
    const other = await run(4, '', 'Keepalived v2.3.1 (x)\n')
    assert.equal(other.status, 'fail')
    assert.match(other.detail, /^keepalived 2\.3\.1 -t: exit 4 \(unknown status, as keepalived 2\.2\.7 means it\) and printed nothing/)
  })

  test('keepalived -t is given the file under the root', async () => {
    const exec = fakeExec(keepalivedOk)
    await doctor(node, {exec})
    assert.deepEqual(exec.calls.find((c) => c[0] === 'keepalived'), ['keepalived', '-t', '-l', '-f', `${node.root}/etc/keepalived/keepalived.conf`])
  })

  test('no enable_script_security / script_user', async () => {
    edit(node.config.keepalived.config, /^\s*enable_script_security\n\s*script_user root\n/m, '')
    const c = check(await doctor(node), 'keepalived-script-security')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /lacks enable_script_security and script_user root/)
  })

  test('keepalived does not call ha-tool (FIFO written but the daemon reads another)', async () => {
    const report = await doctor(node, {config: {...node.config, keepalived: {...node.config.keepalived, fifo: '/run/other.fifo'}}})
    const c = check(report, 'keepalived-calls-ha-tool')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /keepalived writes \/run\/ha-tool\/notify\.fifo but keepalived\.fifo .* is "\/run\/other\.fifo"/)
    assert.match(c.fix!, /set keepalived\.fifo = "\/run\/ha-tool\/notify\.fifo"/)
  })

  test('no track_file and no check script: warn', async () => {
    edit(node.config.keepalived.config, /^track_file ha_tool \{[^}]*\}/m, '')
    const c = check(await doctor(node), 'keepalived-calls-ha-tool')
    assert.equal(c.status, 'warn')
    assert.match(c.detail, /no track_file on \/run\/ha-tool\/track/)
  })

  test('the deprecated vrrp_track_file spelling counts as well as track_file', async () => {
    assert.equal(check(await doctor(node), 'keepalived-calls-ha-tool').status, 'pass')
    edit(node.config.keepalived.config, /^track_file ha_tool \{/m, 'vrrp_track_file ha_tool {')
    const c = check(await doctor(node), 'keepalived-calls-ha-tool')
    assert.equal(c.status, 'pass', c.detail)
    assert.match(c.detail, /track_file \/run\/ha-tool\/track/)
  })

  test('the WAN in track_interface while it goes down on BACKUP', async () => {
    edit(node.config.keepalived.config, '  track_file {', '  track_interface {\n    ens7\n  }\n  track_file {')
    const c = check(await doctor(node), 'keepalived-track-interface')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /ens7 is in track_interface \(line \d+\)/)
    assert.match(c.fix!, /remove ens7 from track_interface/)
    // In keep-up mode the same line is fine.
    const keepUp = await doctor(node, {config: {...node.config, wan: {...node.config.wan, link: 'keep-up'}}})
    assert.equal(check(keepUp, 'keepalived-track-interface').status, 'pass')
  })

  test('no enable_dbus: warn', async () => {
    edit(node.config.keepalived.config, /^\s*enable_dbus\n/m, '\n')
    assert.equal(check(await doctor(node), 'keepalived-dbus').status, 'warn')
  })

  test('state.dir without a tmpfiles.d entry', async () => {
    unlinkSync(join(node.root, 'usr/lib/tmpfiles.d/ha-tool.conf'))
    const c = check(await doctor(node), 'state-dir')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /no tmpfiles\.d entry creates \/run\/ha-tool/)
    assert.match(c.fix!, /d \/run\/ha-tool 0755 root root -/)
  })

  test('networkd keeps deleting foreign rules', async () => {
    rmSync(join(node.root, 'etc/systemd/networkd.conf.d'), {recursive: true})
    const c = check(await doctor(node), 'networkd-foreign-rules')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /ManageForeignRoutingPolicyRules=yes \(default\)/)
    assert.match(c.fix!, /ManageForeignRoutingPolicyRules=no/)
  })

  test('networkd.conf says no, a later drop-in says yes', async () => {
    node.write('/etc/systemd/networkd.conf', '[Network]\nManageForeignRoutingPolicyRules=no\n')
    node.write('/etc/systemd/networkd.conf.d/zz-other.conf', '[Network]\nManageForeignRoutingPolicyRules=yes\n')
    assert.equal(check(await doctor(node), 'networkd-foreign-rules').status, 'fail')
  })

  test('wan.ipv6: the WAN\'s DHCPv6 DUID from machine-id, an IAID other than wan.dhcpv6_iaid, RA routes in main', async () => {
    const wan = '/etc/systemd/network/10-ens7-wan.network'
    assert.equal(check(await doctor(node), 'networkd-wan-dhcpv6').status, 'pass')
    edit(wan, 'DUIDType=link-layer\n', '')
    edit(wan, /IAID=1\n/, 'IAID=7\n')
    edit(wan, /(\[IPv6AcceptRA\][^[]*)RouteTable=250\n/, '$1')
    const c = check(await doctor(node), 'networkd-wan-dhcpv6')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /DUIDType=vendor \(default, made from \/etc\/machine-id\)/)
    assert.match(c.detail, /IAID=7, expected 1 \(wan\.dhcpv6_iaid/)
    assert.match(c.detail, /\[IPv6AcceptRA\] RouteTable=main \(default\), expected 250/)
    assert.match(c.fix!, /DUIDType=link-layer, IAID=1, RouteTable=250 in \[IPv6AcceptRA\]/)
    // networkd.conf's global DUIDType counts too; the config's IAID is what the file must say.
    node.write('/etc/systemd/networkd.conf.d/duid.conf', '[DHCPv6]\nDUIDType=link-layer\n')
    const iaid7 = {...node.config, wan: {...node.config.wan, dhcpv6_iaid: 7}}
    assert.match(check(await doctor(node, {config: iaid7}), 'networkd-wan-dhcpv6').detail, /^[^;]*RouteTable=main/)
    edit(wan, 'DHCP=yes', 'DHCP=ipv4')
    assert.equal(check(await doctor(node), 'networkd-wan-dhcpv6').status, 'warn')
    assert.equal(check(await doctor(node, {config: {...node.config, wan: {...node.config.wan, ipv6: false}}}), 'networkd-wan-dhcpv6').status, 'skip')
    // wan.dhcpv6 = false: an IPv4-only WAN link is what the user asked for, not a finding.
    const v4 = check(await doctor(node, {config: {...node.config, wan: {...node.config.wan, dhcpv6: false}}}), 'networkd-wan-dhcpv6')
    assert.deepEqual([v4.status, v4.detail], ['skip', 'wan.dhcpv6 = false: an IPv4-only WAN link'])
  })

  test('wan.ipv6: the WAN with duplicate address detection on (both nodes hold the same IPv6 addresses)', async () => {
    const wan = '/etc/systemd/network/10-ens7-wan.network'
    assert.equal(check(await doctor(node), 'networkd-wan-dhcpv6').status, 'pass')
    edit(wan, 'IPv6DuplicateAddressDetection=0\n', '')
    const c = check(await doctor(node), 'networkd-wan-dhcpv6')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /IPv6DuplicateAddressDetection=unset .*link-local address taken/)
    assert.match(c.fix!, /IPv6DuplicateAddressDetection=0 in \[Network\]/)
  })

  test('the WAN without ClientIdentifier=mac, and its routes in main', async () => {
    edit('/etc/systemd/network/10-ens7-wan.network', 'ClientIdentifier=mac\n', '')
    edit('/etc/systemd/network/10-ens7-wan.network', 'RouteTable=250\n', '')
    const c = check(await doctor(node), 'networkd-wan-dhcp')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /ClientIdentifier=duid \(default/)
    assert.match(c.detail, /RouteTable=main \(default\), expected 250/)
    assert.match(c.fix!, /ClientIdentifier=mac and RouteTable=250/)
  })

  test('link_via = "netlink" without ActivationPolicy=manual', async () => {
    edit('/etc/systemd/network/10-ens7-wan.network', 'ActivationPolicy=manual\n', '')
    const c = check(await doctor(node), 'networkd-activation-policy')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /ActivationPolicy=up \(default\)/)
    assert.match(c.fix!, /ActivationPolicy=manual/)
  })

  test('the table-240 rule for all traffic, not just the node\'s own', async () => {
    edit('/etc/systemd/network/20-ens6-lan.network', 'IncomingInterface=lo\n', '')
    const c = check(await doctor(node), 'networkd-lan-fallback')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /no IncomingInterface=lo/)
  })

  test('no LAN->LAN forward drop', async () => {
    edit(node.config.doctor.nftables_conf, /^\s*iifname \{.*drop\n/m, '')
    const c = check(await doctor(node), 'nft-lan-forward-drop')
    assert.equal(c.status, 'fail')
    assert.match(c.fix!, /iifname \{ "ens6", "vrrp\.60" \} oifname \{ "ens6", "vrrp\.60" \} drop/)
  })

  test('a forward drop that forgets the VMAC interface', async () => {
    edit(node.config.doctor.nftables_conf, /iifname \{[^}]*\} oifname \{[^}]*\} drop/, 'iifname "ens6" oifname "ens6" drop')
    assert.equal(check(await doctor(node), 'nft-lan-forward-drop').status, 'fail')
  })

  test('the drop in a postrouting chain is not the forward hook', async () => {
    edit(node.config.doctor.nftables_conf, 'hook forward', 'hook postrouting')
    assert.equal(check(await doctor(node), 'nft-lan-forward-drop').status, 'fail')
  })

  test('the shipped ruleset drops gratuitous ARP for the VIP; without that rule doctor warns', async () => {
    assert.equal(check(await doctor(node), 'nft-garp-drop').status, 'pass')
    edit(node.config.doctor.nftables_conf, /^\s*arp operation request arp saddr ip .* drop\n/m, '')
    const c = check(await doctor(node), 'nft-garp-drop')
    assert.equal(c.status, 'warn')
    assert.match(c.fix!, new RegExp(`arp saddr ip ${node.config.lan.vip.replace(/\./g, '\\.')} arp daddr ip`))
  })

  test('a gratuitous-ARP drop for another address is not the VIP\'s', async () => {
    edit(node.config.doctor.nftables_conf, /arp saddr ip \S+ arp daddr ip \S+ drop/, 'arp saddr ip 10.99.99.99 arp daddr ip 10.99.99.99 drop')
    assert.equal(check(await doctor(node), 'nft-garp-drop').status, 'warn')
  })

  test('dnsmasq handing out its own address as router and DNS', async () => {
    edit(node.config.doctor.dnsmasq_conf, /^dhcp-option=option:router.*\n/m, '')
    edit(node.config.doctor.dnsmasq_conf, /^dhcp-option=option:dns-server.*\n/m, 'dhcp-option=6,192.168.1.1\n')
    const c = check(await doctor(node), 'dnsmasq-vip')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /router: not set/)
    assert.match(c.detail, /dns-server: 192\.168\.1\.1, not the VIP 192\.168\.1\.3/)
    assert.match(c.fix!, /dhcp-option=option:router,192\.168\.1\.3/)
  })

  test('conntrackd in ALARM mode, or with the external cache disabled', async () => {
    edit(node.config.conntrackd.config, 'Mode FTFW', 'Mode ALARM')
    const alarm = check(await doctor(node), 'conntrackd')
    assert.equal(alarm.status, 'warn')
    assert.match(alarm.detail, /Mode ALARM: -n and -B are no-ops/)
    edit(node.config.conntrackd.config, 'Mode ALARM', 'Mode FTFW')
    edit(node.config.conntrackd.config, 'DisableExternalCache Off', 'DisableExternalCache On')
    const inject = check(await doctor(node), 'conntrackd')
    assert.equal(inject.status, 'warn')
    assert.match(inject.detail, /-c commits nothing/)
  })

  test('conntrackd with HashSize 8192: 1.4.7 then ignores every flush after a commit', async () => {
    edit(node.config.conntrackd.config, /HashSize \d+/, 'HashSize 8192')
    const c = check(await doctor(node), 'conntrackd')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /HashSize 8192 <= 8192: conntrackd 1\.4\.7 .* ignores every later -f/)
    assert.match(c.fix!, /HashSize 16384/)
  })

  test('the two nodes\' sync channels: matching passes, a wrong destination or a missing Sync fails', async () => {
    const {buildExample} = await import('../../../src/app/config-example.js')
    const peerCfg = {...node.config, sync: {...node.config.sync, address: '192.168.190.2/29'}}
    const answer = (peerConf: string) => fakeExec((argv) => {
      if (argv[0] === 'keepalived') return {code: 0}
      if (argv[0] === 'nft') return {stdout: ''}
      if (argv[0] !== 'ssh') return undefined
      const remote = argv.at(-1)!
      if (remote.includes('config show')) return {stdout: JSON.stringify({config: peerCfg})}
      if (remote === `cat -- ${node.config.conntrackd.config}`) return {stdout: peerConf}
      return {code: 2, stderr: 'refused'}
    })
    const good = buildExample('conntrackd', peerCfg, '/etc/ha-tool/config.toml')
    const ok = check(await doctor(node, {live: true, exec: answer(good)}), 'conntrackd-peer-channel')
    assert.equal(ok.status, 'pass', ok.detail)
    assert.match(ok.detail, /^UDP 192\.168\.190\.1 <-> 192\.168\.190\.2, Mode FTFW on both nodes/)
    const wrong = check(await doctor(node, {live: true, exec: answer(good.replace(/IPv4_Destination_Address 192\.168\.190\.1/, 'IPv4_Destination_Address 192.168.190.5'))}), 'conntrackd-peer-channel')
    assert.equal(wrong.status, 'fail')
    assert.match(wrong.detail, /the peer sends to 192\.168\.190\.5, but this node's address is 192\.168\.190\.1/)
    const none = check(await doctor(node, {live: true, exec: answer('General {\n HashSize 16384\n}\n')}), 'conntrackd-peer-channel')
    assert.equal(none.status, 'fail')
    assert.match(none.detail, /the peer's conntrackd\.conf has no sync channel/)
  })

  test('conntrackd without a control socket configured', async () => {
    edit(node.config.conntrackd.config, /UNIX \{[^}]*\}/, '')
    const c = check(await doctor(node), 'conntrackd')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /no General \{ UNIX \{ Path/)
  })

  test('forwarding off; strict rp_filter', async () => {
    node.write('/proc/sys/net/ipv4/ip_forward', '0\n')
    const off = check(await doctor(node), 'sysctl')
    assert.equal(off.status, 'fail')
    assert.match(off.fix!, /net\.ipv4\.ip_forward=1/)
    node.write('/proc/sys/net/ipv4/ip_forward', '1\n')
    node.write('/proc/sys/net/ipv4/conf/all/rp_filter', '1\n')
    const strict = check(await doctor(node), 'sysctl')
    assert.equal(strict.status, 'warn')
    assert.match(strict.detail, /strict rp_filter .* on ens6, vrrp\.60/)
  })

  test('exit status: any fail makes the report not ok; a warning alone does not', async () => {
    edit(node.config.keepalived.config, /^\s*enable_dbus\n/m, '\n')
    assert.equal((await doctor(node)).ok, true)
    node.write('/proc/sys/net/ipv4/ip_forward', '0\n')
    assert.equal((await doctor(node)).ok, false)
  })

  test('--skip leaves a check out; an unknown id is a usage error', async () => {
    node.write('/proc/sys/net/ipv4/ip_forward', '0\n')
    const report = await doctor(node, {skip: ['sysctl']})
    assert.equal(check(report, 'sysctl').status, 'skip')
    await assert.rejects(doctor(node, {skip: ['no-such-check']}), /unknown check "no-such-check"/)
  })
})

describe('live checks (injected ruleset, state file and ssh)', () => {
  const silenceRuleset = 'table netdev ha_tool_wan_silence {\n\tchain ingress {\n\t\ttype filter hook ingress device "ens7" priority -500; policy drop;\n\t}\n}\n'
  const keepUp = () => ({...node.config, wan: {...node.config.wan, link: 'keep-up' as const}})
  const state = (role: string) => node.write('/run/ha-tool/state.json', JSON.stringify({version: 1, role, source: 'fifo', instance: 'VI_gateway', startedAt: 1, finishedAt: 2, exit: 0, steps: [], history: []}))

  test('a BACKUP in keep-up mode must be silenced, a MASTER must not', async () => {
    const ruleset = (text: string) => fakeExec((argv) => (argv[0] === 'keepalived' ? {code: 0} : argv[0] === 'nft' ? {stdout: text} : argv[0] === 'ssh' ? {code: 255, stderr: 'no route'} : undefined))
    state('BACKUP')
    const bad = check(await doctor(node, {live: true, config: keepUp(), exec: ruleset('')}), 'wan-silence')
    assert.equal(bad.status, 'fail')
    assert.match(bad.detail, /BACKUP but ens7 is not silenced/)
    assert.equal(check(await doctor(node, {live: true, config: keepUp(), exec: ruleset(silenceRuleset)}), 'wan-silence').status, 'pass')
    state('MASTER')
    const master = check(await doctor(node, {live: true, config: keepUp(), exec: ruleset(silenceRuleset)}), 'wan-silence')
    assert.equal(master.status, 'fail')
    assert.match(master.detail, /MASTER but ens7 is silenced/)
  })

  test('wan.ipv6: the IPv6 rule must follow the role like the IPv4 one', async () => {
    const rule = {priority: 32770, src: 'all', table: '250', protocol: '73'}
    const base = [{priority: 0, src: 'all', table: 'local'}, {priority: 32766, src: 'all', table: 'main'}]
    const rules = (v4: object[], v6: object[] | 'no-ipv6') => fakeExec((argv) => {
      if (argv[0] === 'keepalived') return {code: 0}
      if (argv[0] === 'ip' && argv[1] === '-6') return v6 === 'no-ipv6' ? {code: 2, stderr: 'RTNETLINK answers: Address family not supported by protocol'} : {stdout: JSON.stringify([...base, ...v6])}
      if (argv[0] === 'ip') return {stdout: JSON.stringify([...base, ...v4])}
      return argv[0] === 'nft' ? {stdout: ''} : argv[0] === 'ssh' ? {code: 255} : undefined
    })
    const run = async (v4: object[], v6: object[] | 'no-ipv6', config = node.config) => check(await doctor(node, {live: true, config, exec: rules(v4, v6)}), 'wan-rule-ipv6')
    state('MASTER')
    assert.equal((await run([rule], [rule])).status, 'pass')
    const missing = await run([rule], [])
    assert.equal(missing.status, 'fail')
    assert.match(missing.detail, /MASTER: IPv4 rule "to all lookup 250 priority 32770 protocol 73" present, IPv6 rule absent: IPv6 does not leave through the WAN/)
    assert.match(missing.fix!, /ha-tool notify master/)
    // A rule with a selector, or of another protocol, is someone else's.
    assert.equal((await run([rule], [{...rule, src: '2001:db8::', srclen: 32}])).status, 'fail')
    assert.equal((await run([rule], [{...rule, protocol: '18'}])).status, 'fail')
    state('BACKUP')
    assert.equal((await run([], [])).status, 'pass')
    const leftover = await run([], [rule])
    assert.equal(leftover.status, 'fail')
    assert.match(leftover.detail, /BACKUP: .*IPv6 rule present: IPv6 leaves through a WAN this node should not route/)
    assert.match((await run([], 'no-ipv6')).detail, /Address family not supported.*wan\.ipv6 = false/)
    assert.equal((await run([], [rule], {...node.config, wan: {...node.config.wan, ipv6: false}})).status, 'skip')
  })

  /** doctor's wan-rule-foreign check with these IPv4 and IPv6 rules in the kernel (`ip -j rule`). */
  const ruleForeignCheck = async (v4: object[], v6: object[]) => check(await doctor(node, {live: true, exec: fakeExec((argv) => {
    if (argv[0] === 'keepalived') return {code: 0}
    if (argv[0] === 'ip' && argv[1] === '-6') return {stdout: JSON.stringify(v6)}
    if (argv[0] === 'ip') return {stdout: JSON.stringify(v4)}
    return argv[0] === 'nft' ? {stdout: ''} : argv[0] === 'ssh' ? {code: 255} : undefined
  })}), 'wan-rule-foreign')

  test('wan-rule-foreign: a look-alike WAN rule of another protocol fails on BACKUP, warns on MASTER', async () => {
    const ours = {priority: 32770, src: 'all', table: '250', protocol: '73'}
    const user = {priority: 32770, src: 'all', table: '250'}
    const run = ruleForeignCheck
    state('BACKUP')
    assert.equal((await run([], [])).status, 'pass')
    const left = await run([], [{...user, protocol: '18'}])
    assert.equal(left.status, 'fail')
    assert.match(left.detail, /^BACKUP: 1 IPv6 rule\(s\) "to all lookup 250 priority 32770" of another protocol than ha-tool's \(73\)/)
    assert.match(left.fix!, /ip rule del priority 32770 lookup 250 protocol <theirs>/)
    state('MASTER')
    assert.equal((await run([ours], [ours])).status, 'pass')
    assert.equal((await run([ours, {...user, protocol: '4'}], [ours])).status, 'warn')
    // A rule with another selector is not a look-alike.
    assert.equal((await run([ours, {...user, src: '10.0.0.0', srclen: 8}], [ours])).status, 'pass')
  })

  test('wan-rule-foreign: an earlier ha-tool rule without protocol is one converging removes; one it cannot delete alone is named', async () => {
    const ours = {priority: 32770, src: 'all', table: '250', protocol: '73'}
    const earlier = {priority: 32770, src: 'all', table: '250'}
    const run = ruleForeignCheck
    state('BACKUP')
    const left = await run([earlier], [{...earlier, protocol: '3'}])
    assert.equal(left.status, 'fail')
    assert.match(left.detail, /^BACKUP: 1 IPv4 and 1 IPv6 earlier ha-tool rule\(s\) "to all lookup 250 priority 32770" without protocol \(unspec\/boot\): the next transition or the daemon's reconcile removes them/)
    assert.doesNotMatch(left.detail, /never removes/)
    assert.match(left.fix!, /next reconcile/)
    // Behind a networkd rule a delete by protocol unspec would take that one: by hand.
    const stuck = await run([{...earlier, protocol: '4'}, earlier], [])
    assert.match(stuck.detail, /1 IPv4 rule\(s\) .* of another protocol than ha-tool's \(73\): ha-tool never removes them; 1 IPv4 earlier ha-tool rule\(s\) .*: 1 cannot be deleted alone/)
    assert.match(stuck.fix!, /ip rule del priority 32770 lookup 250 protocol <theirs>/)
    state('MASTER')
    const master = await run([earlier, ours], [ours])
    assert.equal(master.status, 'warn')
    assert.match(master.detail, /^MASTER: 1 IPv4 earlier .* replaces them$/)
  })

  test('ssh in BatchMode fails: peer-ssh fails, peer-config skips', async () => {
    const exec = fakeExec((argv) => (argv[0] === 'keepalived' ? {code: 0} : argv[0] === 'ssh' ? {code: 255, stderr: 'root@198.51.100.2: Permission denied (publickey).\n'} : argv[0] === 'nft' ? {stdout: ''} : undefined))
    const report = await doctor(node, {live: true, exec})
    const ssh = check(report, 'peer-ssh')
    assert.equal(ssh.status, 'fail')
    assert.match(ssh.detail, /Permission denied \(publickey\)/)
    assert.match(ssh.detail, /ssh -p 22 root@198\.51\.100\.2 \(StrictHostKeyChecking=yes/)
    assert.match(ssh.fix!, /docs\/peer\.md/)
    assert.equal(check(report, 'peer-config').status, 'skip')
    const argv = exec.calls.find((c) => c[0] === 'ssh')!
    for (const o of ['BatchMode=yes', 'StrictHostKeyChecking=yes']) assert.ok(argv.includes(o), `${o} in ${argv.join(' ')}`)
  })

  test('a peer port whose sessions take more than half of dnsmasq.hook_timeout_ms: peer-ssh warns (a slow login shell there)', async () => {
    const answer = fakeExec((argv) => (argv[0] === 'keepalived' ? {code: 0} : argv[0] === 'ssh' ? {stdout: JSON.stringify({config: nodeConfig()})} : argv[0] === 'nft' ? {stdout: ''} : undefined))
    const slow = (async (argv: readonly string[], o?: object) => {
      if (argv[0] === 'ssh') await new Promise((r) => setTimeout(r, 120))
      return answer(argv, o as never)
    }) as typeof answer
    const quickCfg = {...node.config, dnsmasq: {...node.config.dnsmasq, hook_timeout_ms: 200}}
    const c = check(await doctor(node, {live: true, exec: slow, config: quickCfg}), 'peer-ssh')
    assert.equal(c.status, 'warn')
    assert.match(c.detail, /connected, but one request took \d+ ms \(more than half of dnsmasq\.hook_timeout_ms = 200 ms\)/)
    assert.match(c.fix!, /login shell .*docs\/peer\.md/)
    const ok = check(await doctor(node, {live: true, exec: slow}), 'peer-ssh')
    assert.equal(ok.status, 'pass', 'the default 3000 ms: 120 ms is fine')
    assert.match(ok.detail, /connected \(\d+ ms\)$/)
  })

  test('the peer\'s config disagrees on table, priority and instance', async () => {
    const peer = {...node.config, wan: {...node.config.wan, table: 251, rule_priority: 32771}, keepalived: {...node.config.keepalived, instance: 'VI_other'}}
    const exec = fakeExec((argv) => (argv[0] === 'keepalived' ? {code: 0} : argv[0] === 'ssh' ? {stdout: JSON.stringify({file: '/etc/ha-tool/config.toml', config: peer})} : argv[0] === 'nft' ? {stdout: ''} : undefined))
    const report = await doctor(node, {live: true, exec})
    assert.equal(check(report, 'peer-ssh').status, 'pass')
    const c = check(report, 'peer-config')
    assert.equal(c.status, 'fail')
    assert.match(c.detail, /wan\.table: here 250, peer 251/)
    assert.match(c.detail, /wan\.rule_priority: here 32770, peer 32771/)
    assert.match(c.detail, /keepalived\.instance: here "", peer "VI_other"/)
    const otherIaid = fakeExec((argv) => (argv[0] === 'keepalived' ? {code: 0} : argv[0] === 'ssh' ? {stdout: JSON.stringify({config: {...nodeConfig(), wan: {...nodeConfig().wan, dhcpv6_iaid: 9}}})} : argv[0] === 'nft' ? {stdout: ''} : undefined))
    assert.match(check(await doctor(node, {live: true, exec: otherIaid}), 'peer-config').detail, /wan\.dhcpv6_iaid: here 1, peer 9/)
    const same = fakeExec((argv) => (argv[0] === 'keepalived' ? {code: 0} : argv[0] === 'ssh' ? {stdout: JSON.stringify({config: nodeConfig()})} : argv[0] === 'nft' ? {stdout: ''} : undefined))
    assert.equal(check(await doctor(node, {live: true, exec: same}), 'peer-config').status, 'pass')
  })

  test('a LAN not managed by networkd: the live table-240 rule must be limited to iif lo', async () => {
    unlinkSync(join(node.root, 'etc/systemd/network/20-ens6-lan.network'))
    const rules = (list: object[]) => fakeExec((argv) => (argv[0] === 'keepalived' ? {code: 0} : argv[0] === 'ip' ? {stdout: JSON.stringify(list)} : argv[0] === 'nft' ? {stdout: ''} : argv[0] === 'ssh' ? {code: 255} : undefined))
    const base = [{priority: 0, src: 'all', table: 'local'}, {priority: 32766, src: 'all', table: 'main'}]
    assert.equal(check(await doctor(node, {live: true, exec: rules([...base, {priority: 32780, src: 'all', iif: 'lo', table: '240'}])}), 'networkd-lan-fallback').status, 'pass')
    const open = check(await doctor(node, {live: true, exec: rules([...base, {priority: 32780, src: 'all', table: '240'}])}), 'networkd-lan-fallback')
    assert.equal(open.status, 'fail')
    assert.match(open.detail, /applies to forwarded traffic too/)
    assert.match(open.fix!, /^ip rule del priority 32780 lookup 240; ip rule add priority 32780 iif lo lookup 240/)
    assert.match(check(await doctor(node, {live: true, exec: rules(base)}), 'networkd-lan-fallback').detail, /no rule looks up table 240/)
    // Not the live node: nothing to read.
    assert.equal(check(await doctor(node), 'networkd-lan-fallback').status, 'skip')
  })
})
