// `ha-tool check` against IPv6 targets for real: namespaces hat-h6-* made and deleted here.
//
//   node (N)  c0 fd55:6::1/64 ---- t0 fd55:6::2/64  target (T)   lo: fd55:9::9/128 ("the internet")
//   "WAN"                                                          kernel ICMPv6, TCP :7001 (logs peers),
//             l0 fd55:8::1/64 ---- t2 fd55:8::2/64                HTTP :7080, dnsmasq (AAAA) on fd55:6::2
//   "LAN"
//
// In N, like a gateway: fd55:9::9 through table 250 (default via the WAN, `ip -6 rule` priority
// 32770, the MASTER's) or table 240 (default via the LAN, priority 32780). Traffic goes only to
// addresses inside these namespaces.
import assert from 'node:assert/strict'
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {sh} from '../../support/netns.js'
import {BIN, cleanEnv, ensureBuilt, run, withTempDir} from '../../support/spawn.js'
import {buildTopology, type Topology} from '../../support/topology.js'
import {servicesReady, skipReason} from './topology.js'

const skip = skipReason()
const tag = process.pid % 100000
const N = `hat-h6-n${tag}`
const T = `hat-h6-t${tag}`
const A = {wan: 'fd55:6::1', target: 'fd55:6::2', lan: 'fd55:8::1', lanPeer: 'fd55:8::2', internet: 'fd55:9::9', dead: 'fd55:6::99', name: 'ok6.test', answer: 'fd55:6::77'}

const SERVICES = `
const net = require('node:net'), http = require('node:http')
net.createServer((s) => { process.stdout.write(JSON.stringify({tcpFrom: s.remoteAddress}) + '\\n'); s.destroy() }).listen(7001, '::')
http.createServer((req, res) => { res.writeHead(req.url === '/ok' ? 200 : 503); res.end() }).listen(7080, '::', () => process.stdout.write('{"ready":true}\\n'))
`
const NFT = `table inet h6 {
  counter new_c0 {}
  counter new_l0 {}
  chain out {
    type filter hook output priority 0; policy accept;
    meta nfproto ipv6 ct state new oifname "c0" counter name "new_c0"
    meta nfproto ipv6 ct state new oifname "l0" counter name "new_l0"
  }
}
`

let dir = ''
let release: () => void = () => {}
const procs: ChildProcess[] = []
let topology: Topology<'N' | 'T'> | undefined
const tcpPeers: string[] = []

function nft(ns: string, text: string): void {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], {input: text, encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`nft: ${r.stderr}`)
}

const txPackets = (dev: 'c0' | 'l0'): number => {
  const j = JSON.parse(sh(['ip', 'netns', 'exec', N, 'nft', '-j', 'list', 'counter', 'inet', 'h6', `new_${dev}`]).stdout) as {nftables: Array<{counter?: {packets: number}}>}
  return j.nftables.find((x) => x.counter)!.counter!.packets
}

const setWanDead = (on: boolean) => {
  sh(['ip', 'netns', 'exec', T, 'nft', 'delete', 'table', 'inet', 'h6dead'], false)
  if (on) nft(T, 'table inet h6dead {\n  chain pre {\n    type filter hook prerouting priority -300; policy accept;\n    iifname "t0" meta nfproto ipv6 icmpv6 type != { nd-neighbor-solicit, nd-neighbor-advert } drop\n  }\n}\n')
}

before(async () => {
  if (skip) return
  ensureBuilt()
  dir = await new Promise<string>((ready) => { void withTempDir((d) => new Promise<void>((r) => { release = r; ready(d) })) })
  // No duplicate address detection, link-local addresses included: neighbour discovery works at once
  // (nodad: the addresses are usable at once).
  const sysctls = {'net.ipv6.conf.all.accept_dad': 0, 'net.ipv6.conf.default.accept_dad': 0}
  topology = buildTopology<'N' | 'T'>({
    prefix: 'hat-', names: {N, T},
    nodes: {
      N: {sysctls, routes: [`-6 default via ${A.target} dev c0 table 250`, `-6 default via ${A.lanPeer} dev l0 table 240`], rules: ['-6 priority 32770 lookup 250', '-6 priority 32780 lookup 240']},
      T: {sysctls, loAddrs: [`${A.internet}/128`]},
    },
    links: [
      [{node: 'N', dev: 'c0', addrs: [`${A.wan}/64 nodad`]}, {node: 'T', dev: 't0', addrs: [`${A.target}/64 nodad`]}],
      [{node: 'N', dev: 'l0', addrs: [`${A.lan}/64 nodad`]}, {node: 'T', dev: 't2', addrs: [`${A.lanPeer}/64 nodad`]}],
    ],
  })
  nft(N, NFT)
  // Neighbour discovery settled before the first probe: in a fresh namespace the first echo to a
  // new neighbour was lost now and then (seen with ping alone, either bind).
  for (const peer of [A.target, A.lanPeer]) sh(['ip', 'netns', 'exec', N, 'ping', '-6', '-n', '-q', '-c', '3', '-i', '0.2', '-W', '1', peer], false)
  const services = spawn('ip', ['netns', 'exec', T, process.execPath, '-e', SERVICES], {stdio: ['ignore', 'pipe', 'pipe']})
  procs.push(services)
  services.stderr!.resume()
  await servicesReady(services, (from) => tcpPeers.push(from))
  const dnsmasq = spawn('ip', ['netns', 'exec', T, 'dnsmasq', '-k', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--bind-interfaces', `--listen-address=${A.target}`, '--user=root', `--pid-file=${join(dir, 'dnsmasq.pid')}`, `--address=/${A.name}/${A.answer}`, '--log-facility=-'], {stdio: ['ignore', 'ignore', 'pipe']})
  dnsmasq.stderr!.resume()
  procs.push(dnsmasq)
  const until = Date.now() + 5000
  while (!sh(['ip', 'netns', 'exec', T, 'ss', '-lun'], false).stdout.includes(`[${A.target}]:53`)) {
    if (Date.now() > until) throw new Error('dnsmasq is not listening')
    await new Promise((r) => setTimeout(r, 25))
  }
})

after(() => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
  // Whatever else runs in our namespaces was started by these tests (check, ping): the builder ends it by PID.
  topology?.destroy()
  release()
})

const check = (args: string[]) => run(['ip', 'netns', 'exec', N, process.execPath, BIN, 'check', ...args], {env: cleanEnv()})

const targets = [A.internet, `tcp://[${A.internet}]:7001`, `http://[${A.internet}]:7080/ok`, `dns://[${A.target}]/${A.name}?type=AAAA`]

describe('check: IPv6 targets in namespaces', {skip}, () => {
  test('through the routing tables: ICMPv6, TCP, HTTP and an AAAA query answer; a dead address does not', async () => {
    const r = await check([...targets.flatMap((t) => ['--target', t]), '--via', 'main', '--min-ok', '4', '--json'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const j = JSON.parse(r.stdout) as {results: Array<{target: string; ok: boolean; detail: string}>}
    assert.deepEqual(j.results.map((x) => [x.target, x.ok]), targets.map((t) => [t, true]))
    assert.equal(j.results[3].detail, `${A.name} AAAA ${A.answer}`)
    const dead = await check(['--target', A.dead, '--target', `tcp://[${A.dead}]:7001`, '--via', 'main', '--timeout', '400', '--min-ok', '1'])
    assert.equal(dead.code, 1, dead.stderr)
    assert.match(dead.stderr, /^unhealthy: 0\/2 targets answered, need 1: /)
  })

  test('the WAN path on a MASTER: from the WAN\'s IPv6 address, out the WAN; with the WAN dead and the LAN healthy, unhealthy and nothing out the LAN', async () => {
    const stateDir = join(dir, 'state')
    mkdirSync(stateDir, {recursive: true})
    writeFileSync(join(stateDir, 'state.json'), JSON.stringify({version: 1, role: 'MASTER', source: 'test', instance: 'VI_1', startedAt: 0, finishedAt: 0, exit: 0, steps: [], history: []}))
    const cfg = join(dir, 'wan6.toml')
    writeFileSync(cfg, `[wan]\ninterface = "c0"\n[health]\nvia = "wan"\ntargets = ${JSON.stringify(targets.slice(0, 3))}\nmin_ok = 3\ntimeout_ms = 500\n[state]\ndir = "${stateDir}"\n`)
    tcpPeers.length = 0
    let lan = txPackets('l0')
    const ok = await check(['--config', cfg])
    assert.equal(ok.code, 0, ok.stderr)
    assert.equal(ok.stderr, 'healthy via WAN c0: 3/3 targets answered (min_ok 3)\n')
    assert.deepEqual(tcpPeers, [A.wan])
    assert.equal(txPackets('l0'), lan)

    setWanDead(true)
    sh(['ip', '-n', N, '-6', 'route', 'replace', 'default', 'via', A.lanPeer, 'dev', 'l0'])
    try {
      // The LAN path works: the same targets through the routing tables answer.
      const control = await check(['--config', cfg, '--via', 'main'])
      assert.equal(control.code, 0, control.stderr)
      lan = txPackets('l0')
      const r = await check(['--config', cfg, '--min-ok', '1', '--json'])
      assert.equal(r.code, 1, r.stdout)
      const res = (JSON.parse(r.stdout) as {results: Array<{ok: boolean; detail: string}>}).results
      assert.deepEqual(res.map((x) => x.ok), [false, false, false])
      for (const x of res.slice(1)) assert.equal(x.detail, `not sent: the route from ${A.wan} to ${A.internet} leaves through l0, not the WAN c0`)
      assert.equal(txPackets('l0'), lan, 'nothing left through the LAN')
    } finally {
      setWanDead(false)
      sh(['ip', '-n', N, '-6', 'route', 'del', 'default', 'via', A.lanPeer, 'dev', 'l0'], false)
    }
  })
})
