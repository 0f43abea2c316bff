// Two "gateways" for the lease tests, each its own network namespace (hat-h6-*), joined by a veth
// sync link with a real sshd on each side (throw-away host and client keys in a temp dir, sshd
// listening on the namespace's sync address only). Optionally a LAN: a switch namespace with a
// bridge, both gateways' lan0 and a client namespace on it. Each node has its own ha-tool config.
// Everything started here is tracked by PID and stopped by PID; the namespaces (the topology builder's) are
// deleted in stop().
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {checkJsonOutput} from '../../support/json-contract.js'
import {buildTopology, type End, type NodeSpec, type Topology} from '../../support/topology.js'
import {sshdCommand} from '../../support/sshd.js'

export const ROOT = new URL('../../..', import.meta.url).pathname
export const BIN = join(ROOT, 'bin/run.js')

export type Run = {code: number | null; stdout: string; stderr: string}

export function sh(argv: readonly string[], opts: {must?: boolean; input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): Run {
  const r = spawnSync(argv[0], argv.slice(1), {encoding: 'latin1', input: opts.input, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 30_000})
  if ((opts.must ?? true) && r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr}${r.error ? ` ${r.error.message}` : ''}`)
  return {code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? ''}
}

export type GwNode = {
  name: 'a' | 'b'
  ns: string
  dir: string
  /** sync-link address (sshd listens here) */
  addr: string
  lanAddr: string
  toml: string
  leases: string
  pidFile: string
  hook: string
  dnsmasqLog: string
  scriptLog: string
}

export type PairOptions = {
  lan?: boolean
  /** extra [dnsmasq] keys per node (TOML lines) */
  extra?: (n: GwNode) => string[]
  /** dnsmasq arguments per node besides the defaults (e.g. --enable-dbus) */
  dnsmasqArgs?: (n: GwNode) => string[]
  /** dnsmasq's --dhcp-range (default 192.168.60.100-199, 600 s leases) */
  range?: string
  /** environment of ha-tool when it starts dnsmasq (e.g. DBUS_SYSTEM_BUS_ADDRESS) */
  dnsmasqEnv?: Record<string, string>
}

export class LeasePair {
  readonly a: GwNode
  readonly b: GwNode
  readonly sw: string
  readonly client: string
  private topology?: Topology<'a' | 'b' | 'sw' | 'client'>
  private procs: ChildProcess[] = []
  readonly key: string
  readonly knownHosts: string

  constructor(readonly dir: string, readonly tag: string, readonly opts: PairOptions = {}) {
    const mk = (name: 'a' | 'b', addr: string, lanAddr: string): GwNode => {
      const d = join(dir, name)
      return {name, ns: `hat-h6-${tag}${name}`, dir: d, addr, lanAddr, toml: join(d, 'ha-tool.toml'), leases: join(d, 'dnsmasq.leases'), pidFile: join(d, 'dnsmasq.pid'), hook: join(d, 'hook.sh'), dnsmasqLog: join(d, 'dnsmasq.log'), scriptLog: join(d, 'script.log')}
    }
    this.a = mk('a', '192.168.190.1', '192.168.60.1')
    this.b = mk('b', '192.168.190.2', '192.168.60.2')
    this.sw = `hat-h6-${tag}sw`
    this.client = `hat-h6-${tag}cl`
    this.key = join(dir, 'id_ed25519')
    this.knownHosts = join(dir, 'known_hosts')
  }

  peer(n: GwNode): GwNode {
    return n === this.a ? this.b : this.a
  }

  /** Runs ha-tool inside a node's namespace with its config. */
  ha(n: GwNode, args: readonly string[], opts: {input?: string; env?: NodeJS.ProcessEnv} = {}): Run {
    const env = {...(opts.env ?? process.env)}
    delete env.NODE_EXTRA_CA_CERTS
    const r = sh(['ip', 'netns', 'exec', n.ns, process.execPath, BIN, ...args, '--config', n.toml], {must: false, input: opts.input, env})
    checkJsonOutput([BIN, ...args], r.stdout)
    return r
  }

  inNs(ns: string, argv: readonly string[], must = true, input?: string): Run {
    return sh(['ip', 'netns', 'exec', ns, ...argv], {must, input})
  }

  setup(): void {
    const [a, b] = [this.a, this.b]
    for (const n of [a, b]) mkdirSync(join(n.dir, 'state'), {recursive: true})
    type N = 'a' | 'b' | 'sw' | 'client'
    const lan = this.opts.lan
    // the sync cable; with `lan` also a LAN switch (bridge br0 in its own namespace) with both gateways and a client on it
    this.topology = buildTopology<N>({
      prefix: 'hat-', names: {a: a.ns, b: b.ns, sw: this.sw, client: this.client},
      nodes: {a: {}, b: {}, ...(lan ? {sw: {bridges: [{dev: 'br0'}]}, client: {}} : {})} as Record<N, NodeSpec>,
      links: [
        [{node: 'a', dev: 'sync0', addrs: [`${a.addr}/29`]}, {node: 'b', dev: 'sync0', addrs: [`${b.addr}/29`]}],
        ...(lan ? [
          [{node: 'a', dev: 'lan0', addrs: [`${a.lanAddr}/24`]}, {node: 'sw', dev: 'pa', master: 'br0'}],
          [{node: 'b', dev: 'lan0', addrs: [`${b.lanAddr}/24`]}, {node: 'sw', dev: 'pb', master: 'br0'}],
          [{node: 'client', dev: 'eth0', mac: '02:00:00:00:60:01'}, {node: 'sw', dev: 'pc', master: 'br0'}],
        ] as Array<[End<N>, End<N>]> : []),
      ],
    })
    this.sshKeys()
    for (const n of [a, b]) this.writeConfig(n)
  }

  private sshKeys(): void {
    sh(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'ha-tool-test', '-f', this.key])
    writeFileSync(join(this.dir, 'authorized_keys'), readFileSync(`${this.key}.pub`))
    const known: string[] = []
    for (const n of [this.a, this.b]) {
      const hostKey = join(n.dir, 'ssh_host_ed25519_key')
      sh(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', hostKey])
      known.push(`${n.addr} ${readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')}`)
      writeFileSync(join(n.dir, 'sshd_config'), [
        `ListenAddress ${n.addr}`, 'Port 22', `HostKey ${hostKey}`, `PidFile ${join(n.dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`, 'PermitRootLogin prohibit-password', 'PasswordAuthentication no',
        'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', 'PrintMotd no', 'UseDNS no', '',
      ].join('\n'))
    }
    writeFileSync(this.knownHosts, `${known.join('\n')}\n`)
  }

  dnsmasqArgv(n: GwNode): string[] {
    return ['dnsmasq', '--conf-file=/dev/null', '--port=0', '--no-resolv', '--no-hosts', '--no-ping', '--interface=lan0', '--bind-interfaces',
      '--dhcp-authoritative', `--dhcp-range=${this.opts.range ?? '192.168.60.100,192.168.60.199,255.255.255.0,600'}`, `--dhcp-leasefile=${n.leases}`,
      `--pid-file=${n.pidFile}`, '--user=root', '--log-dhcp', `--log-facility=${n.dnsmasqLog}`, ...(this.opts.dnsmasqArgs?.(n) ?? [])]
  }

  writeConfig(n: GwNode, extra: string[] = []): void {
    const p = this.peer(n)
    const q = (s: string) => JSON.stringify(s)
    const list = (xs: string[]) => `[${xs.map(q).join(', ')}]`
    const start = this.opts.dnsmasqEnv ? ['env', ...Object.entries(this.opts.dnsmasqEnv).map(([k, v]) => `${k}=${v}`), ...this.dnsmasqArgv(n)] : this.dnsmasqArgv(n)
    writeFileSync(n.toml, [
      '[wan]', 'interface = "wan0"',
      '[state]', `dir = ${q(join(n.dir, 'state'))}`,
      '[log]', 'level = "warn"',
      '[dnsmasq]', 'enabled = true', `leases = ${q(n.leases)}`, `peer = ${q(`root@${p.addr}`)}`,
      `peer_leases = ${q(p.leases)}`, `ssh_key = ${q(this.key)}`, `ssh_known_hosts = ${q(this.knownHosts)}`, 'ssh_timeout_ms = 4000',
      `peer_command = ${list([process.execPath, BIN])}`, `peer_config = ${q(p.toml)}`,
      `pid_file = ${q(n.pidFile)}`, `start_command = ${list(start)}`, `stop_command = ${list(['pkill', '-F', n.pidFile])}`,
      'command_timeout_ms = 5000', `queue_dir = ${q(join(n.dir, 'queue'))}`, 'hook_timeout_ms = 4000', 'sync_schedule = ""',
      ...(this.opts.extra?.(n) ?? []), ...extra, '',
    ].join('\n'))
    // dnsmasq's --dhcp-script takes a path without arguments.
    writeFileSync(n.hook, `#!/bin/sh\necho "$*" >> ${n.scriptLog}\nexec ${process.execPath} ${BIN} leases hook --config ${n.toml} "$@"\n`, {mode: 0o755})
  }

  /** sshd in the node's namespace, on its sync address only; resolves once it listens. */
  async startSshd(n: GwNode): Promise<ChildProcess> {
    mkdirSync('/run/sshd', {recursive: true, mode: 0o755}) // sshd's privilege-separation directory
    const child = spawn('ip', ['netns', 'exec', n.ns, ...sshdCommand(['/usr/sbin/sshd', '-D', '-e', '-f', join(n.dir, 'sshd_config')])], {stdio: ['ignore', 'ignore', 'pipe']})
    let err = ''
    child.stderr!.on('data', (d: Buffer) => { err += d.toString() })
    this.procs.push(child)
    for (let i = 0; i < 100; i++) {
      if (this.inNs(n.ns, ['ss', '-Hltn', `src ${n.addr}:22`], false).stdout.includes(':22')) return child
      if (child.exitCode !== null) throw new Error(`sshd in ${n.ns} exited: ${err}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`sshd in ${n.ns} did not listen: ${err}`)
  }

  /** Stops a process this lab started, by its PID. */
  async kill(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return
    const done = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    await Promise.race([done, new Promise((r) => setTimeout(r, 3000))])
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }

  track(child: ChildProcess): void {
    this.procs.push(child)
  }

  dnsmasqPid(n: GwNode): number | undefined {
    try {
      const pid = Number(readFileSync(n.pidFile, 'utf8').trim())
      return pid > 0 && existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'dnsmasq' ? pid : undefined
    } catch {
      return undefined
    }
  }

  /** Starts dnsmasq the way ha-tool's start_command does (it daemonizes and writes its pid file). */
  startDnsmasq(n: GwNode, env: NodeJS.ProcessEnv = process.env): number {
    sh(['ip', 'netns', 'exec', n.ns, ...this.dnsmasqArgv(n)], {env: {...env, ...(this.opts.dnsmasqEnv ?? {})}})
    for (let i = 0; i < 100; i++) {
      const pid = this.dnsmasqPid(n)
      if (pid) return pid
      spawnSync('sleep', ['0.02'])
    }
    throw new Error(`dnsmasq in ${n.ns} did not start`)
  }

  stopDnsmasq(n: GwNode): void {
    const pid = this.dnsmasqPid(n)
    if (!pid) return
    process.kill(pid, 'SIGTERM')
    for (let i = 0; i < 150 && this.dnsmasqPid(n) === pid; i++) spawnSync('sleep', ['0.02'])
  }

  async stop(): Promise<void> {
    for (const n of [this.a, this.b]) try { this.stopDnsmasq(n) } catch { /* gone */ }
    for (const p of this.procs.reverse()) await this.kill(p)
    this.topology?.destroy()
  }
}
