// The health-check test bed: namespaces named hat-h5-*, built with the topology builder and deleted in stop().
//
//   node (N)  c0 10.55.6.1/24 ---- t0 10.55.6.2/24  target (T)   lo: 10.55.9.9/32 ("the internet")
//   "WAN"                                                         kernel ICMP, dnsmasq :53,
//             l0 10.55.8.1/24 ---- t2 10.55.8.2/24               TCP :7001 (logs peers), HTTP :7080,
//   "LAN"                                                         slow DNS :5300
//             s1 10.55.10.1/24 --- s0 10.55.10.2/24  slow (S): ICMP answered late by a user-space responder
//
// In N, like a gateway: 10.55.9.9 is reached through table 250 (default via the WAN, rule
// "to all lookup 250 priority 32770", present only while "MASTER") or table 240 (default via the
// LAN, priority 32780, always there). Traffic goes only to addresses inside these namespaces.
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before} from 'node:test'
import {sh} from '../../support/netns.js'
import {buildTopology, type Topology as Built} from '../../support/topology.js'
import {ensureBuilt, withTempDir} from '../../support/spawn.js'

export const ADDR = {wan: '10.55.6.1', target: '10.55.6.2', lan: '10.55.8.1', lanPeer: '10.55.8.2', internet: '10.55.9.9', slow: '10.55.10.2', dead: '10.55.6.99', okName: 'ok.test', okAnswer: '10.55.6.77'}
export const PORTS = {tcp: 7001, closed: 7002, http: 7080, https: 7443, slowDns: 5300}

/** The services of T: a TCP listener that reports its peers, an HTTP server, a DNS server that answers late. */
const SERVICES = `
const net = require('node:net'), http = require('node:http'), dgram = require('node:dgram')
net.createServer((s) => { process.stdout.write(JSON.stringify({tcpFrom: s.remoteAddress}) + '\\n'); s.destroy() }).listen(${PORTS.tcp}, '0.0.0.0')
http.createServer((req, res) => {
  if (req.url === '/slow') { setTimeout(() => { res.writeHead(200); res.end('late') }, 3000); return }
  res.writeHead(req.url === '/ok' ? 200 : req.url === '/redirect' ? 302 : 503, {location: '/ok'}); res.end()
}).listen(${PORTS.http}, '0.0.0.0')
const udp = dgram.createSocket('udp4')
udp.on('message', (q, peer) => setTimeout(() => {
  let i = 12; while (q[i] !== 0) i += q[i] + 1; const question = q.subarray(12, i + 5)
  const header = Buffer.from([q[0], q[1], 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0])
  const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 55, 6, 78])
  udp.send(Buffer.concat([header, question, answer]), peer.port, peer.address)
}, 1500))
if (process.env.H5_CERT) {
  const fs = require('node:fs')
  require('node:https').createServer({cert: fs.readFileSync(process.env.H5_CERT), key: fs.readFileSync(process.env.H5_KEY)}, (req, res) => { res.writeHead(req.url === '/ok' ? 204 : 503); res.end() }).listen(${PORTS.https}, '0.0.0.0')
}
udp.bind(${PORTS.slowDns}, '${ADDR.target}', () => process.stdout.write('{"ready":true}\\n'))
`

/** Answers ICMP echo 500 ms late (the kernel's own replies are off in S). */
const SLOW_ICMP = `
import socket, struct, threading, time
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
def csum(b):
    if len(b) % 2: b += b'\\0'
    t = sum(struct.unpack('!%dH' % (len(b) // 2), b)); t = (t >> 16) + (t & 0xffff); t += t >> 16
    return ~t & 0xffff
def reply(pkt, addr):
    time.sleep(0.5)
    body = pkt[(pkt[0] & 0x0f) * 4:]
    if body[0] != 8: return
    r = b'\\0\\0\\0\\0' + body[4:]
    r = r[:2] + struct.pack('!H', csum(r)) + r[4:]
    s.sendto(r, (addr[0], 0))
print('ready', flush=True)
while True:
    pkt, addr = s.recvfrom(65535)
    threading.Thread(target=reply, args=(pkt, addr), daemon=True).start()
`

const NFT = `table inet h5 {
  counter new_c0 {}
  counter new_l0 {}
  chain out {
    type filter hook output priority 0; policy accept;
    ct state new oifname "c0" counter name "new_c0"
    ct state new oifname "l0" counter name "new_l0"
  }
}
`

export class Topology {
  readonly N: string
  readonly T: string
  readonly S: string
  private procs: ChildProcess[] = []
  private topology?: Built<'N' | 'T' | 'S'>
  tcpPeers: string[] = []
  slowIcmp = false
  /** The HTTPS target's certificate (undefined: no openssl, no HTTPS target). */
  https?: {cert: string}

  constructor(readonly dir: string) {
    const tag = process.pid % 100000
    this.N = `hat-h5-n${tag}`
    this.T = `hat-h5-t${tag}`
    this.S = `hat-h5-s${tag}`
  }

  async start(): Promise<void> {
    const {N, T, S} = this
    // No IPv6: its link-local chatter (MLD, router solicitations) would move the packet counters.
    const sysctls = {'net.ipv6.conf.all.disable_ipv6': 1, 'net.ipv6.conf.default.disable_ipv6': 1}
    this.topology = buildTopology<'N' | 'T' | 'S'>({
      prefix: 'hat-', names: {N, T, S},
      nodes: {
        N: {sysctls, routes: [`default via ${ADDR.target} dev c0 table 250`, `default via ${ADDR.lanPeer} dev l0 table 240`], rules: ['priority 32780 lookup 240']},
        T: {sysctls, loAddrs: [`${ADDR.internet}/32`]},
        S: {sysctls},
      },
      links: [
        [{node: 'N', dev: 'c0', addrs: [`${ADDR.wan}/24`]}, {node: 'T', dev: 't0', addrs: [`${ADDR.target}/24`]}],
        [{node: 'N', dev: 'l0', addrs: [`${ADDR.lan}/24`]}, {node: 'T', dev: 't2', addrs: [`${ADDR.lanPeer}/24`]}],
        [{node: 'N', dev: 's1', addrs: ['10.55.10.1/24']}, {node: 'S', dev: 's0', addrs: [`${ADDR.slow}/24`]}],
      ],
    })
    this.setMaster(true)
    // Counts what N itself starts on each link (new connections, echo requests), not ARP or the
    // tail of an earlier connection: "not one probe sent" is then exact.
    const nft = spawnSync('ip', ['netns', 'exec', N, 'nft', '-f', '-'], {input: NFT, encoding: 'utf8'})
    if (nft.status !== 0) throw new Error(`nft: ${nft.stderr}`)

    // A self-signed certificate for the HTTPS target (its address in the SAN), when openssl is there.
    const cert = join(this.dir, 'cert.pem')
    const key = join(this.dir, 'key.pem')
    this.https = sh(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=ha-tool-test', '-addext', `subjectAltName=IP:${ADDR.target}`, '-keyout', key, '-out', cert], false).code === 0 ? {cert} : undefined
    const services = this.spawnIn(T, [process.execPath, '-e', SERVICES], {...process.env, ...(this.https ? {H5_CERT: cert, H5_KEY: key} : {})})
    await servicesReady(services, (from) => this.tcpPeers.push(from.replace(/^::ffff:/, '')))
    const pid = join(this.dir, 'dnsmasq.pid')
    this.spawnIn(T, ['dnsmasq', '-k', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--bind-interfaces', `--listen-address=${ADDR.target}`, '--user=root', `--pid-file=${pid}`, `--address=/${ADDR.okName}/${ADDR.okAnswer}`, '--log-facility=-'])
    if (hasPython()) {
      sh(['ip', 'netns', 'exec', S, 'sysctl', '-q', '-w', 'net.ipv4.icmp_echo_ignore_all=1'])
      const file = join(this.dir, 'slow-icmp.py')
      writeFileSync(file, SLOW_ICMP)
      const p = this.spawnIn(S, ['python3', file])
      await new Promise<void>((resolve) => p.stdout!.once('data', () => resolve()))
      this.slowIcmp = true
    }
    await this.waitFor(() => sh(['ip', 'netns', 'exec', T, 'ss', '-lun'], false).stdout.includes(`${ADDR.target}:53`), 'dnsmasq listening')
  }

  /** The WAN rule the MASTER has ("to all lookup 250 priority 32770"). */
  setMaster(on: boolean): void {
    sh(['ip', '-n', this.N, 'rule', on ? 'add' : 'del', 'priority', '32770', 'lookup', '250'], on)
  }

  /**
   * The WAN dies beyond the link (carrier stays up): T drops everything arriving on t0, while
   * the LAN side (t2) still reaches every target: the "second healthy path".
   */
  setWanDead(on: boolean): void {
    sh(['ip', 'netns', 'exec', this.T, 'nft', 'delete', 'table', 'inet', 'h5dead'], false)
    if (!on) return
    const nft = spawnSync('ip', ['netns', 'exec', this.T, 'nft', '-f', '-'], {input: 'table inet h5dead {\n  chain pre {\n    type filter hook prerouting priority -300; policy accept;\n    iifname "t0" drop\n  }\n}\n', encoding: 'utf8'})
    if (nft.status !== 0) throw new Error(`nft: ${nft.stderr}`)
  }

  /** A default route in N's main table through the LAN (priority 32766: before the MASTER's rule). */
  setMainDefault(on: boolean): void {
    sh(['ip', '-n', this.N, 'route', on ? 'replace' : 'del', 'default', 'via', ADDR.lanPeer, 'dev', 'l0'], on)
  }

  /** The WAN's default route in table 250 (gone when the link loses its DHCP routes). */
  setWanRoute(on: boolean): void {
    sh(['ip', '-n', this.N, 'route', on ? 'replace' : 'del', 'default', 'via', ADDR.target, 'dev', 'c0', 'table', '250'], on)
  }

  /** Packets N started on a link so far (ct state new, output hook): probes, not ARP or TCP tails. */
  txPackets(dev: 'c0' | 'l0'): number {
    const j = JSON.parse(sh(['ip', 'netns', 'exec', this.N, 'nft', '-j', 'list', 'counter', 'inet', 'h5', `new_${dev}`]).stdout) as {nftables: Array<{counter?: {packets: number}}>}
    return j.nftables.find((x) => x.counter)!.counter!.packets
  }

  /** Processes running inside N (pids). */
  pidsIn(ns = this.N): number[] {
    return sh(['ip', 'netns', 'pids', ns], false).stdout.split('\n').filter(Boolean).map(Number)
  }

  spawnIn(ns: string, argv: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
    const p = spawn('ip', ['netns', 'exec', ns, ...argv], {stdio: ['ignore', 'pipe', 'pipe'], env})
    p.stderr!.resume()
    this.procs.push(p)
    return p
  }

  async waitFor(ok: () => boolean, what: string, ms = 5000): Promise<void> {
    const until = Date.now() + ms
    while (!ok()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 25))
    }
  }

  async stop(): Promise<void> {
    for (const p of this.procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
    // Whatever else runs in our namespaces was started by our tests (check, monitor, ping): the builder ends it by PID.
    this.topology?.destroy()
  }
}

/**
 * Resolves when the target services (the SERVICES script, one JSON line per event on stdout) say
 * they are ready; each later TCP connection's source goes to onTcp. Rejects if they exit first.
 */
export function servicesReady(services: ChildProcess, onTcp: (from: string) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let buf = ''
    services.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d
      let nl: number
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = JSON.parse(buf.slice(0, nl)) as {ready?: boolean; tcpFrom?: string}
        buf = buf.slice(nl + 1)
        if (line.ready) resolve()
        if (line.tcpFrom) onTcp(line.tcpFrom)
      }
    })
    services.once('exit', (code) => reject(new Error(`target services exited ${code}`)))
  })
}

export function hasPython(): boolean {
  return spawnSync('python3', ['-c', 'import socket'], {stdio: 'ignore'}).status === 0
}

/** Why these tests cannot run here, or undefined. */
export function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)'
  for (const p of ['ip', 'ping', 'dnsmasq', 'ss', 'nft']) if (spawnSync('sh', ['-c', `command -v ${p} || test -x /usr/sbin/${p}`], {stdio: 'ignore'}).status !== 0) return `needs ${p}`
  return undefined
}

/**
 * Starts one Topology (in a temp dir) before the file's tests and stops it after them;
 * `set` receives it. Does nothing when the topology cannot run (the tests skip on skipReason()).
 */
export function useTopology(set: (topo: Topology, dir: string) => void): void {
  let topo: Topology | undefined
  let cleanup: () => void = () => {}
  before(async () => {
    if (skipReason()) return
    ensureBuilt()
    const dir = await new Promise<string>((ready) => {
      void withTempDir((d) => new Promise<void>((release) => { cleanup = release; ready(d) }))
    })
    topo = new Topology(dir)
    set(topo, dir)
    await topo.start()
  })
  after(async () => {
    if (topo) await topo.stop()
    cleanup()
  })
}
