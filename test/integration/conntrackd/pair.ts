// Two real conntrackd daemons, each in its own network namespace, syncing over UDP on a veth pair
// (the pair's sync link), built with the topology builder. Every namespace is named hat-h7-*, created here
// and deleted (with what still runs in it) in stop().
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {sh} from '../../support/netns.js'
import {PeerNodes} from '../../support/peer-nodes.js'
import {buildTopology, type Topology} from '../../support/topology.js'

export type Node = {name: 'a' | 'b'; ns: string; dir: string; conf: string; toml: string; stateDir: string; socket: string; log: string; addr: string}

export type PairOptions = {mode?: 'FTFW' | 'NOTRACK' | 'ALARM'; disableExternalCache?: boolean; logFile?: boolean; hashSize?: number}


export const inNs = (n: Node, argv: string[], must = true) => sh(['ip', 'netns', 'exec', n.ns, ...argv], must)

export class ConntrackdPair {
  readonly a: Node
  readonly b: Node
  private topology?: Topology<'a' | 'b'>
  /** The peer port between the two nodes: sshd on each, the forced-command key (the failback check reads the MASTER over it). */
  port?: PeerNodes

  constructor(readonly dir: string, readonly opts: PairOptions = {}) {
    const tag = `${process.pid % 100000}`
    const mk = (name: 'a' | 'b', addr: string): Node => {
      const d = join(dir, name)
      return {name, ns: `hat-h7-${name}${tag}`, dir: d, conf: join(d, 'conntrackd.conf'), toml: join(d, 'config.toml'), stateDir: join(d, 'state'), socket: join(d, 'ct.sock'), log: join(d, 'conntrackd.log'), addr}
    }
    this.a = mk('a', '10.199.7.1')
    this.b = mk('b', '10.199.7.2')
  }

  peer(n: Node): Node {
    return n === this.a ? this.b : this.a
  }

  /** Namespaces, the veth sync link, both configs; daemons are started separately. */
  setup(): void {
    const [a, b] = [this.a, this.b]
    for (const n of [a, b]) mkdirSync(n.stateDir, {recursive: true})
    this.topology = buildTopology<'a' | 'b'>({
      prefix: 'hat-h7-', names: {a: a.ns, b: b.ns}, nodes: {a: {}, b: {}},
      links: [[{node: 'a', dev: 'sync0', addrs: [`${a.addr}/30`]}, {node: 'b', dev: 'sync0', addrs: [`${b.addr}/30`]}]],
    })
    this.port = new PeerNodes(this.dir, '', 2222, {a: {ns: a.ns, addr: a.addr, dir: a.dir, toml: a.toml}, b: {ns: b.ns, addr: b.addr, dir: b.dir, toml: b.toml}})
    this.port.keys()
    for (const n of [a, b]) {
      writeFileSync(n.conf, this.conntrackdConf(n))
      writeFileSync(n.toml, [
        '[wan]', 'interface = "wan0"',
        '[sync]', 'interface = "sync0"', `address = "${n.addr}/30"`,
        '[conntrackd]', 'enabled = true', `config = "${n.conf}"`, 'timeout_ms = 3000', 'verify_timeout_ms = 3000',
        ...this.port.peerToml(this.port[n.name]),
        '[state]', `dir = "${n.stateDir}"`, '',
      ].join('\n'))
    }
  }

  conntrackdConf(n: Node): string {
    const mode = this.opts.mode ?? 'FTFW'
    const ext = mode === 'ALARM' ? '' : `\t\tDisableExternalCache ${this.opts.disableExternalCache ? 'on' : 'off'}\n`
    const alarm = mode === 'ALARM' ? '\t\tRefreshTime 1\n\t\tCacheTimeout 30\n' : ''
    return `Sync {
	Mode ${mode} {
${ext}${alarm}		PurgeTimeout 2
	}
	UDP {
		IPv4_address ${n.addr}
		IPv4_Destination_Address ${this.peer(n).addr}
		Port 3780
		Interface sync0
		Checksum on
	}
}
General {
	HashSize ${this.opts.hashSize ?? 16384}
	HashLimit 65535
${this.opts.logFile === false ? '\tLogFile off\n' : `\tLogFile ${n.log}\n`}	Syslog off
	LockFile ${join(n.dir, 'lock')}
	UNIX {
		Path ${n.socket}
	}
	NetlinkBufferSize 2097152
	NetlinkBufferSizeMaxGrowth 8388608
	Filter From Userspace {
		Address Ignore {
			IPv4_address 127.0.0.1
			IPv4_address ${n.addr}
			IPv4_address ${this.peer(n).addr}
		}
	}
}
`
  }

  start(n: Node): void {
    inNs(n, ['conntrackd', '-d', '-C', n.conf])
  }

  /** Stops conntrackd in one namespace by PID (everything in that namespace is ours). */
  kill(n: Node, signal = 'TERM'): void {
    for (const pid of this.pids(n)) sh(['kill', `-${signal}`, String(pid)], false)
  }

  pids(n: Node): number[] {
    return sh(['ip', 'netns', 'pids', n.ns], false).stdout.split('\n').filter(Boolean).map(Number)
  }

  /** A TCP flow in the kernel table of `n`, as traffic would have made it (ESTABLISHED, ASSURED). */
  insertFlow(n: Node, i: number): void {
    inNs(n, ['conntrack', '-I', '-p', 'tcp', '-s', `192.0.2.${1 + (i % 200)}`, '-d', '198.51.100.7', '--sport', String(20000 + i), '--dport', '443',
      '--state', 'ESTABLISHED', '-u', 'ASSURED', '-t', '600'])
  }

  kernelFlows(n: Node): string[] {
    return inNs(n, ['conntrack', '-L', '-p', 'tcp', '--dport', '443'], false).stdout.split('\n').filter((l) => l.includes('dport=443'))
  }

  stats(n: Node): string {
    return inNs(n, ['conntrackd', '-C', n.conf, '-s']).stdout
  }

  /** sshd on both nodes (after setup). */
  async startSsh(): Promise<void> {
    await this.port!.startSsh()
  }

  async stop(): Promise<void> {
    await this.port?.stop()
    this.topology?.destroy()
    this.topology = undefined
  }
}

/** Polls `fn` until it returns true or `ms` pass. */
export async function waitFor(fn: () => boolean, ms: number, step = 50): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    if (fn()) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, step))
  }
}
