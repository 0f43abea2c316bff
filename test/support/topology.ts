// One typed builder for the network namespaces of the lab, the tests and the benchmarks: nodes (a
// namespace each, named <prefix><node>, prefix hat-), links (veth pairs, optionally into a bridge),
// addresses, routes, rules and sysctls, and the clean-up: whatever still runs inside the namespaces is
// ended by PID and the namespaces are deleted (withTopology does it in a finally; long-lived users such
// as the lab call destroy(), or destroyNamespaces() from another process).
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'

export type Sysctls = Record<string, string | number>

export type NodeSpec = {
  /** Namespaced sysctls (net.*), set first. */
  sysctls?: Sysctls
  /** Linux bridges (switches) in this node: no STP, no multicast snooping, up, with their addresses; their own sysctls (net.ipv6.conf.<dev>.*) are set before they come up. */
  bridges?: Array<{dev: string; addrs?: string[]; sysctls?: Sysctls}>
  /** Addresses on lo (a host "behind" the node, e.g. the internet host). */
  loAddrs?: string[]
  /** `ip route add` arguments, applied after every link, e.g. 'default via 198.51.100.1 dev wan0 table 250'; '-6 ...' for IPv6 where ip cannot tell. */
  routes?: string[]
  /** `ip rule add` arguments, e.g. 'priority 32780 iif lo lookup 240'; '-6 priority 32780 lookup 240' for an IPv6 rule. */
  rules?: string[]
}

/** One end of a veth pair: its node and device name, and what to do with it. */
export type End<N extends string> = {
  node: N
  dev: string
  addrs?: string[]
  mac?: string
  /** A bridge of the same node to enslave this end to. */
  master?: string
  /** Default true. */
  up?: boolean
}

export type TopologySpec<N extends string> = {
  /** Namespace name prefix; must start with hat-. */
  prefix: string
  /** Appended to every namespace name (e.g. the test's PID, so parallel runs do not collide). */
  suffix?: string
  /** Whole namespace names for some nodes (each must start with hat-), instead of <prefix><node><suffix>. */
  names?: Partial<Record<N, string>>
  nodes: Record<N, NodeSpec>
  /** veth pairs; both ends may be in one node (a peer end left for the test to move or use). */
  links?: Array<[End<N>, End<N>]>
}

export type RunResult = {code: number; stdout: string; stderr: string}

export type Topology<N extends string> = {
  /** The namespace of each node. */
  readonly ns: Readonly<Record<N, string>>
  /** `ip -n <ns> ...args`; throws with ip's message, returns stdout. */
  ip(node: N, ...args: string[]): string
  /** `ip -n <ns> -batch -`: several ip commands in one process; throws on the first failing one. */
  batch(node: N, lines: string[]): void
  /** Runs argv inside the node (stdin closed unless input is given); never throws. */
  exec(node: N, argv: string[], opts?: {input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number}): RunResult
  sysctl(node: N, kv: Sysctls): void
  /** One more veth pair, after the build (the same rules as the spec's links). */
  link(a: End<N>, b: End<N>): void
  /** PIDs of the processes inside the node's namespace (or all the topology's). */
  pids(node?: N): number[]
  /** Ends what runs inside the namespaces (SIGKILL, by PID) and deletes them. Idempotent. */
  destroy(): void
}

export function canUseNetns(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces'
  if (spawnSync('ip', ['netns', 'list'], {stdio: 'ignore'}).status !== 0) return 'ip netns is not available (iproute2)'
  return undefined
}

function must(argv: string[], input?: string): string {
  const r = spawnSync(argv[0], argv.slice(1), {input, encoding: 'utf8', stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], timeout: 20_000})
  if (r.status !== 0) throw new Error(`topology: ${argv.join(' ')}${input ? ` <<< ${JSON.stringify(input)}` : ''}: exit ${r.status}: ${(r.stderr ?? '').trim() || r.error?.message}`)
  return r.stdout
}

function alive(pid: number): boolean {
  try { return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')) } catch { return false }
}

/** PIDs inside a namespace (none when it does not exist). */
export function namespacePids(ns: string): number[] {
  const r = spawnSync('ip', ['netns', 'pids', ns], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']})
  return (r.stdout ?? '').split(/\s+/).filter(Boolean).map(Number).filter((p) => p !== process.pid && alive(p))
}

/** Ends every process left in these hat- namespaces (by PID) and deletes them; missing ones are skipped. */
export function destroyNamespaces(names: string[]): void {
  for (const ns of names) if (!ns.startsWith('hat-')) throw new Error(`topology: refusing to delete namespace ${ns} (not hat-)`)
  for (let round = 0; round < 3; round++) {
    const left = names.flatMap(namespacePids)
    if (left.length === 0) break
    for (const p of left) { try { process.kill(p, 'SIGKILL') } catch { /* gone */ } }
    spawnSync('sleep', ['0.05'])
  }
  for (const ns of names) spawnSync('ip', ['netns', 'del', ns], {stdio: 'ignore'})
}

/** A veth pair between two namespaces (or within one), each end set up as its End says. */
export function addVeth(a: Omit<End<string>, 'node'> & {ns: string}, b: Omit<End<string>, 'node'> & {ns: string}): void {
  must(['ip', 'link', 'add', a.dev, 'netns', a.ns, ...(a.mac ? ['address', a.mac] : []), 'type', 'veth', 'peer', 'name', b.dev, 'netns', b.ns, ...(b.mac ? ['address', b.mac] : [])])
  for (const e of [a, b]) {
    const lines = [
      ...(e.master ? [`link set ${e.dev} master ${e.master}`] : []),
      ...(e.addrs ?? []).map((x) => `addr add ${x} dev ${e.dev}`),
      ...(e.up === false ? [] : [`link set ${e.dev} up`]),
    ]
    if (lines.length > 0) must(['ip', '-n', e.ns, '-batch', '-'], `${lines.join('\n')}\n`)
  }
}

/** The test WAN's addresses (documentation prefixes): wan0's, and the ISP router's at its far end. */
export const TEST_WAN = {address: '198.51.100.10/24', gateway: '198.51.100.1', address6: '2001:db8:1::10/64', gateway6: '2001:db8:1::1'} as const

export type WanShapeOptions<N extends string> = {
  /** The node holding the far end isp0, with the ISP router's addresses; default: the node itself (a carrier, nothing behind it). */
  isp?: N
  /** The table of wan0's default routes (ha-tool's wan.table); default 250. */
  table?: number
  /** IPv6 too: addresses and a default route, without duplicate address detection (usable at once). */
  ipv6?: boolean
}

/**
 * A node's WAN as most tests give it: wan0 with TEST_WAN's address(es) and default route(s) in `table`, isp0 at its
 * far end, both up. Returns the pieces of a spec: the link and each node's part (merge with mergeNodes).
 */
export function wanShape<N extends string>(node: N, o: WanShapeOptions<N> = {}): {links: Array<[End<N>, End<N>]>; nodes: Partial<Record<N, NodeSpec>>} {
  const table = o.table ?? 250
  const noDad = o.ipv6 ? {'net.ipv6.conf.default.accept_dad': 0} : undefined
  const gw: NodeSpec = {
    ...(noDad ? {sysctls: noDad} : {}),
    routes: [`default via ${TEST_WAN.gateway} dev wan0 table ${table}`, ...(o.ipv6 ? [`default via ${TEST_WAN.gateway6} dev wan0 table ${table}`] : [])],
  }
  const isp = o.isp !== undefined && o.isp !== node ? o.isp : undefined
  return {
    links: [[
      {node, dev: 'wan0', addrs: [TEST_WAN.address, ...(o.ipv6 ? [TEST_WAN.address6] : [])]},
      {node: isp ?? node, dev: 'isp0', ...(isp ? {addrs: [`${TEST_WAN.gateway}/24`, ...(o.ipv6 ? [`${TEST_WAN.gateway6}/64`] : [])]} : {})},
    ]],
    nodes: {[node]: gw, ...(isp ? {[isp]: noDad ? {sysctls: noDad} : {}} : {})} as Partial<Record<N, NodeSpec>>,
  }
}

/** Node specs merged key by key (sysctls and lists joined), for shapes that each add to the same node. */
export function mergeNodes<N extends string>(...parts: Array<Partial<Record<N, NodeSpec>>>): Record<N, NodeSpec> {
  const out: Partial<Record<N, NodeSpec>> = {}
  for (const part of parts) {
    for (const [n, s] of Object.entries(part) as Array<[N, NodeSpec]>) {
      const o = out[n] ?? {}
      out[n] = {
        sysctls: {...o.sysctls, ...s.sysctls},
        bridges: [...(o.bridges ?? []), ...(s.bridges ?? [])],
        loAddrs: [...(o.loAddrs ?? []), ...(s.loAddrs ?? [])],
        routes: [...(o.routes ?? []), ...(s.routes ?? [])],
        rules: [...(o.rules ?? []), ...(s.rules ?? [])],
      }
    }
  }
  return out as Record<N, NodeSpec>
}

/** Builds the topology; on a failure half-way, what was built is torn down before the error is thrown. */
export function buildTopology<N extends string>(spec: TopologySpec<N>): Topology<N> {
  if (!spec.prefix.startsWith('hat-')) throw new Error(`topology: namespace prefix ${spec.prefix} must start with hat-`)
  const nodes = Object.keys(spec.nodes) as N[]
  const ns = Object.fromEntries(nodes.map((n) => [n, spec.names?.[n] ?? `${spec.prefix}${n}${spec.suffix ?? ''}`])) as Record<N, string>
  const names = nodes.map((n) => ns[n])
  for (const name of names) if (!name.startsWith('hat-')) throw new Error(`topology: namespace ${name} must start with hat-`)
  let destroyed = false
  const t: Topology<N> = {
    ns,
    ip: (node, ...args) => must(['ip', '-n', ns[node], ...args]),
    batch: (node, lines) => { if (lines.length > 0) must(['ip', '-n', ns[node], '-batch', '-'], `${lines.join('\n')}\n`) },
    exec: (node, argv, opts = {}) => {
      const r = spawnSync('ip', ['netns', 'exec', ns[node], ...argv], {input: opts.input, encoding: 'utf8', env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 30_000, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']})
      return {code: r.status ?? 1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '')}
    },
    sysctl: (node, kv) => { must(['ip', 'netns', 'exec', ns[node], 'sysctl', '-q', '-w', ...Object.entries(kv).map(([k, v]) => `${k}=${v}`)]) },
    link: (a, b) => addVeth({...a, ns: ns[a.node]}, {...b, ns: ns[b.node]}),
    pids: (node) => (node === undefined ? names : [ns[node]]).flatMap(namespacePids),
    destroy: () => {
      if (destroyed) return
      destroyed = true
      destroyNamespaces(names)
    },
  }
  // a namespace left by a crashed run of the same test goes first
  destroyNamespaces(names)
  try {
    for (const n of nodes) {
      must(['ip', 'netns', 'add', ns[n]])
      const s = spec.nodes[n]
      t.batch(n, ['link set lo up', ...(s.loAddrs ?? []).map((x) => `addr add ${x} dev lo`)])
      if (s.sysctls && Object.keys(s.sysctls).length > 0) t.sysctl(n, s.sysctls)
      for (const br of s.bridges ?? []) {
        t.batch(n, [`link add ${br.dev} type bridge stp_state 0 mcast_snooping 0`])
        if (br.sysctls && Object.keys(br.sysctls).length > 0) t.sysctl(n, br.sysctls)
        t.batch(n, [...(br.addrs ?? []).map((x) => `addr add ${x} dev ${br.dev}`), `link set ${br.dev} up`])
      }
    }
    for (const [a, b] of spec.links ?? []) t.link(a, b)
    for (const n of nodes) {
      const s = spec.nodes[n]
      const lines = [...(s.routes ?? []).map((r) => `route add ${r}`), ...(s.rules ?? []).map((r) => `rule add ${r}`)]
      const v6 = /^(route|rule) add -6 /
      t.batch(n, lines.filter((l) => !v6.test(l)))
      const six = lines.filter((l) => v6.test(l)).map((l) => l.replace(' -6 ', ' '))
      if (six.length > 0) must(['ip', '-n', ns[n], '-6', '-batch', '-'], `${six.join('\n')}\n`)
    }
  } catch (error) {
    t.destroy()
    throw error
  }
  return t
}

/** Builds the topology, runs fn, and always tears it down (processes left inside by PID, then the namespaces). */
export async function withTopology<N extends string, T>(spec: TopologySpec<N>, fn: (t: Topology<N>) => Promise<T> | T): Promise<T> {
  const t = buildTopology(spec)
  try {
    return await fn(t)
  } finally {
    t.destroy()
  }
}
