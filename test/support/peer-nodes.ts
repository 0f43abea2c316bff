// Two nodes for the peer-port tests, each its own network namespace (hat-pp-<tag>a/b) joined by
// a veth sync link, each with a real sshd on a non-default port whose authorized_keys holds the
// forced-command line `ha-tool config example authorized-keys` prints (so the test runs what
// ships). Throw-away host and client keys in a temp dir. Everything started here is stopped by
// PID; the namespaces are deleted in stop().
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {BIN} from './spawn.js'
import {buildTopology, type Topology} from './topology.js'
import {sshdCommand} from './sshd.js'

export type Run = {code: number | null; stdout: string; stderr: string}

export function run(argv: readonly string[], opts: {must?: boolean; env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): Run {
  const r = spawnSync(argv[0], argv.slice(1), {encoding: 'utf8', env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 30_000})
  if ((opts.must ?? true) && r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr}`)
  return {code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? ''}
}

export type PeerNode = {name: 'a' | 'b'; ns: string; dir: string; addr: string; toml: string; leases: string; authorizedKeys: string}

export class PeerNodes {
  readonly a: PeerNode
  readonly b: PeerNode
  readonly key: string
  /** A second client key with no forced command (for tests of the port itself). */
  readonly adminKey: string
  readonly knownHosts: string
  private procs: ChildProcess[] = []
  private topology?: Topology<'a' | 'b'>

  /** `existing`: namespaces (with the sync link) another test pair made; only ssh is set up then. */
  constructor(readonly dir: string, tag: string, readonly port = 2222, existing?: Record<'a' | 'b', {ns: string; addr: string; dir: string; toml: string}>) {
    const mk = (name: 'a' | 'b', host: number): PeerNode => {
      const d = existing?.[name].dir ?? join(dir, name)
      return {name, ns: existing?.[name].ns ?? `hat-pp-${tag}${name}`, dir: d, addr: existing?.[name].addr ?? `192.168.191.${host}`, toml: existing?.[name].toml ?? join(d, 'ha-tool.toml'), leases: join(d, 'dnsmasq.leases'), authorizedKeys: join(d, 'authorized_keys')}
    }
    this.a = mk('a', 1)
    this.b = mk('b', 2)
    this.key = join(dir, 'id_ed25519')
    this.adminKey = join(dir, 'admin_ed25519')
    this.knownHosts = join(dir, 'known_hosts')
  }

  other(n: PeerNode): PeerNode {
    return n === this.a ? this.b : this.a
  }

  /** ha-tool in a node's namespace with its config (stdin closed). */
  ha(n: PeerNode, args: readonly string[], timeoutMs = 30_000): Run {
    const env = {...process.env}
    delete env.NODE_EXTRA_CA_CERTS
    return run(['ip', 'netns', 'exec', n.ns, process.execPath, BIN, ...args, '--config', n.toml], {must: false, env, timeoutMs})
  }

  inNs(n: PeerNode, argv: readonly string[], must = true): Run {
    return run(['ip', 'netns', 'exec', n.ns, ...argv], {must})
  }

  async setup(extraToml: (n: PeerNode) => string[] = () => []): Promise<void> {
    this.network()
    this.keys()
    for (const n of [this.a, this.b]) this.writeConfig(n, extraToml(n))
    await this.startSsh()
  }

  /** The two namespaces and the sync link (not with `existing`: setup() is for a pair of its own). */
  private network(): void {
    for (const n of [this.a, this.b]) mkdirSync(join(n.dir, 'state'), {recursive: true})
    this.topology = buildTopology<'a' | 'b'>({
      prefix: 'hat-pp-', names: {a: this.a.ns, b: this.b.ns}, nodes: {a: {}, b: {}},
      links: [[{node: 'a', dev: 'sync0', addrs: [`${this.a.addr}/29`]}, {node: 'b', dev: 'sync0', addrs: [`${this.b.addr}/29`]}]],
    })
  }

  /** Client and host keys, sshd configs, known_hosts (before the configs are written). */
  keys(): void {
    run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'ha-tool-test', '-f', this.key])
    run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'ha-tool-admin', '-f', this.adminKey])
    const known: string[] = []
    for (const n of [this.a, this.b]) {
      const hostKey = join(n.dir, 'ssh_host_ed25519_key')
      run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', hostKey])
      known.push(`[${n.addr}]:${this.port} ${readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')}`)
      writeFileSync(join(n.dir, 'sshd_config'), [
        `ListenAddress ${n.addr}`, `Port ${this.port}`, `HostKey ${hostKey}`, `PidFile ${join(n.dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${n.authorizedKeys}`, 'PermitRootLogin prohibit-password', 'PasswordAuthentication no',
        'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', 'PrintMotd no', 'UseDNS no', '',
      ].join('\n'))
      if (!existsSync(n.leases)) writeFileSync(n.leases, '')
    }
    writeFileSync(this.knownHosts, `${known.join('\n')}\n`)
  }

  /** The [peer] section of node n's config. */
  peerToml(n: PeerNode): string[] {
    const p = this.other(n)
    const q = (s: string) => JSON.stringify(s)
    return ['[peer]', `destination = ${q(`root@${p.addr}`)}`, `port = ${this.port}`, `known_hosts = ${q(this.knownHosts)}`, `identity = ${q(this.key)}`,
      'connect_timeout_ms = 2000', 'timeout_ms = 15000', `command = [${q(process.execPath)}, ${q(BIN)}]`, `config = ${q(p.toml)}`]
  }

  /** authorized_keys from each node's `config example authorized-keys` (the configs must exist), then sshd on both. */
  async startSsh(): Promise<void> {
    // Each node's authorized_keys: the line the OTHER node's `config example authorized-keys` prints, with its key.
    const pub = readFileSync(`${this.key}.pub`, 'utf8').trim()
    for (const n of [this.a, this.b]) {
      const example = this.ha(this.other(n), ['config', 'example', 'authorized-keys'])
      if (example.code !== 0) throw new Error(`config example authorized-keys: ${example.stderr}`)
      const line = example.stdout.split('\n').find((l) => l.startsWith('restrict,'))!
      writeFileSync(n.authorizedKeys, `${line.replace(/ssh-ed25519 \S+$/, pub)}\n${readFileSync(`${this.adminKey}.pub`, 'utf8')}`)
    }
    for (const n of [this.a, this.b]) await this.startSshd(n)
  }

  writeConfig(n: PeerNode, extra: string[] = []): void {
    const q = (s: string) => JSON.stringify(s)
    writeFileSync(n.toml, [
      '[wan]', 'interface = "wan0"',
      '[sync]', 'interface = "sync0"', `address = ${q(`${n.addr}/29`)}`,
      ...this.peerToml(n),
      '[state]', `dir = ${q(join(n.dir, 'state'))}`,
      '[log]', 'level = "warn"',
      '[dnsmasq]', `leases = ${q(n.leases)}`,
      ...extra, '',
    ].join('\n'))
  }

  private async startSshd(n: PeerNode): Promise<void> {
    mkdirSync('/run/sshd', {recursive: true, mode: 0o755}) // sshd's privilege-separation directory
    const child = spawn('ip', ['netns', 'exec', n.ns, ...sshdCommand(['/usr/sbin/sshd', '-D', '-e', '-f', join(n.dir, 'sshd_config')])], {stdio: ['ignore', 'ignore', 'pipe']})
    let err = ''
    child.stderr!.on('data', (d: Buffer) => { err += d.toString() })
    this.procs.push(child)
    for (let i = 0; i < 100; i++) {
      if (this.inNs(n, ['ss', '-Hltn', `src ${n.addr}:${this.port}`], false).stdout.includes(`:${this.port}`)) return
      if (child.exitCode !== null) throw new Error(`sshd in ${n.ns} exited: ${err}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`sshd in ${n.ns} did not listen: ${err}`)
  }

  async stop(): Promise<void> {
    for (const child of this.procs.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue
      const done = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await Promise.race([done, new Promise((r) => setTimeout(r, 3000))])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
    this.topology?.destroy()
  }
}
