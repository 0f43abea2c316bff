// A real dnsmasq 2.90 serving two IPv4 subnets and two IPv6 prefixes, and a real DHCP client
// (dhclient) holding a lease on each: one MAC on both IPv4 subnets, and one DHCPv6 IA
// with an address per prefix. `ha-tool leases merge` of dnsmasq's own file must keep every lease,
// and one client on two addresses of one subnet must still be a conflict.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {buildTopology, type End, type Topology} from '../../support/topology.js'
import {BIN, sh} from './pair.js'

const tag = `${process.pid % 10000}`
const SRV = `hat-ms-${tag}s`
const CL = `hat-ms-${tag}c`
const MAC = '02:00:00:00:61:01'
const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : !existsSync('/usr/sbin/dnsmasq') ? 'dnsmasq is not installed' : !existsSync('/usr/sbin/dhclient') ? 'dhclient (isc-dhcp-client) is not installed' : undefined
if (skip) console.warn(`# SKIPPED multi-subnet lease tests: ${skip}`)

const ns = (name: string, argv: string[], must = true) => sh(['ip', 'netns', 'exec', name, ...argv], {must, timeoutMs: 30_000})
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('a real dnsmasq with two subnets and two IPv6 prefixes: every lease it keeps survives the merge', {skip, concurrency: false}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-tool-ms-'))
  const leases = join(dir, 'dnsmasq.leases')
  const pidFile = join(dir, 'dnsmasq.pid')
  let file = ''
  let topo: Topology<'srv' | 'cl'> | undefined

  before(async () => {
    // No duplicate address detection: addresses are usable at once. The same MAC on both of the client's links:
    // one client, as dnsmasq sees it, on two subnets. Both IPv6 prefixes on one link: dnsmasq puts an address of
    // each in the client's one IA.
    const noDad = {'net.ipv6.conf.all.accept_dad': 0, 'net.ipv6.conf.default.accept_dad': 0}
    topo = buildTopology({
      prefix: 'hat-ms-', names: {srv: SRV, cl: CL}, nodes: {srv: {sysctls: noDad}, cl: {sysctls: noDad}},
      links: [1, 2].map((k): [End<'srv' | 'cl'>, End<'srv' | 'cl'>] => [
        {node: 'srv', dev: `lan${k}`, addrs: [`192.168.6${k}.1/24`, ...(k === 1 ? ['fd00:1::1/64', 'fd00:2::1/64'] : [])]},
        {node: 'cl', dev: `eth${k}`, mac: MAC},
      ]),
    })
    ns(SRV, ['dnsmasq', '--conf-file=/dev/null', '--port=0', '--no-resolv', '--no-hosts', '--no-ping', '--interface=lan1', '--interface=lan2', '--bind-interfaces',
      '--dhcp-authoritative', '--dhcp-range=192.168.61.100,192.168.61.199,255.255.255.0,600', '--dhcp-range=192.168.62.100,192.168.62.199,255.255.255.0,600',
      '--dhcp-range=fd00:1::100,fd00:1::1ff,64,600', '--dhcp-range=fd00:2::100,fd00:2::1ff,64,600',
      `--dhcp-leasefile=${leases}`, `--pid-file=${pidFile}`, '--user=root', `--log-facility=${join(dir, 'dnsmasq.log')}`, '--log-dhcp'])
    // Link-local addresses ready for DHCPv6.
    for (let i = 0; i < 100 && !ns(CL, ['ip', '-6', 'addr', 'show', 'dev', 'eth1', 'scope', 'link'], false).stdout.includes('fe80'); i++) await sleep(50)
    const dhclient = (args: string[], name: string) => ns(CL, ['timeout', '25', 'dhclient', ...args, '-1', '-pf', join(dir, `${name}.pid`), '-lf', join(dir, `${name}.lease`), '-sf', '/bin/true'], false)
    for (const k of [1, 2]) {
      // A client id per link, as systemd-networkd sends (IAID + DUID) and VLANs on one NIC have (one
      // MAC). With one client id on both links (or none: the MAC), dnsmasq 2.90 moves the lease to
      // the second subnet instead of keeping two (checked by hand).
      writeFileSync(join(dir, `v4-${k}.conf`), `send dhcp-client-identifier "eth${k}";\n`)
      dhclient(['-4', '-cf', join(dir, `v4-${k}.conf`), `eth${k}`], `v4-${k}`)
    }
    dhclient(['-6', 'eth1'], 'v6')
    // dhclient daemonizes after its lease: stop each one by the PID it wrote.
    for (const name of ['v4-1', 'v4-2', 'v6']) {
      try {
        const pid = Number(readFileSync(join(dir, `${name}.pid`), 'utf8').trim())
        if (pid > 0) process.kill(pid, 'SIGTERM')
      } catch { /* exited already */ }
    }
    // dnsmasq writes its file on every change: wait for the four leases.
    for (let i = 0; i < 100; i++) {
      file = existsSync(leases) ? readFileSync(leases, 'latin1') : ''
      if (file.split('\n').filter((l) => /^\d/.test(l)).length >= 4) break
      await sleep(100)
    }
  })

  after(() => {
    try {
      const pid = Number(readFileSync(pidFile, 'utf8').trim())
      if (pid > 0) process.kill(pid, 'SIGTERM')
    } catch { /* not started */ }
    topo?.destroy()
    if (!process.env.HAT_KEEP) rmSync(dir, {recursive: true, force: true})
  })

  const merge = (args: string[]) => {
    const env: NodeJS.ProcessEnv = {...process.env, HA_TOOL_CONFIG: join(dir, 'none.toml')}
    delete env.NODE_EXTRA_CA_CERTS
    writeFileSync(join(dir, 'none.toml'), '[wan]\ninterface = "wan0"\n')
    return spawnSync(process.execPath, [BIN, 'leases', 'merge', ...args], {encoding: 'latin1', env, timeout: 30_000})
  }

  test('dnsmasq gave the one client a lease on each subnet and one IA an address per prefix', () => {
    const v4 = file.split('\n').filter((l) => l.includes(` ${MAC} 192.168.`))
    assert.deepEqual(v4.map((l) => l.split(' ')[2].split('.')[2]).sort(), ['61', '62'], file)
    const v6 = file.split('\n').filter((l) => / fd00:[12]::/.test(l))
    assert.equal(v6.length, 2, file)
    assert.equal(new Set(v6.map((l) => `${l.split(' ')[1]} ${l.split(' ')[4]}`)).size, 1, `one IA (IAID + DUID): ${file}`)
  })

  test('leases merge of dnsmasq\'s file keeps all four leases, no conflict; merged with itself too', () => {
    for (const args of [[leases], [leases, leases]]) {
      const r = merge([...args, '--json'])
      assert.equal(r.status, 0, r.stderr)
      const out = JSON.parse(r.stdout) as {database: string; report: {conflicts: unknown[]; dropped: number; leases: number}}
      assert.deepEqual([out.report.leases, out.report.conflicts.length, out.report.dropped], [4, 0, 0], out.database)
      assert.deepEqual(out.database.split('\n').filter(Boolean).sort(), file.split('\n').filter(Boolean).sort())
    }
  })

  test('one client on two addresses of one subnet is still a conflict; --subnet fd00::/16 makes the two prefixes one', () => {
    const v4 = file.split('\n').filter((l) => l.includes(` ${MAC} 192.168.61.`))[0].split(' ')
    const other = join(dir, 'other.leases')
    writeFileSync(other, `${[String(Number(v4[0]) + 60), v4[1], '192.168.61.250', v4[3], v4[4]].join(' ')}\n`)
    const r = merge([leases, other, '--json'])
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout) as {report: {conflicts: Array<{ip: string; reason: string}>; leases: number}}
    assert.deepEqual(out.report.conflicts.map((c) => c.ip), [v4[2]])
    assert.equal(out.report.leases, 4)
    // With both IPv6 prefixes declared one subnet, the IA keeps one of its two addresses.
    const wide = JSON.parse(merge([leases, '--subnet', 'fd00::/16', '--json']).stdout) as {report: {leases: number}}
    assert.equal(wide.report.leases, 3, 'fd00::/16 as one subnet: the IA keeps one address')
  })
})


