// Throw-away network namespaces for integration tests, on the topology builder (topology.ts): one
// namespace, named as the test asks (hat-...), optionally with the test WAN (wanShape), or a gateway and an ISP
// joined by it; deleted in a finally with whatever still runs in them.
// Commands run inside with `ip netns exec`.
import {spawnSync} from 'node:child_process'
import {checkJsonOutput} from './json-contract.js'
import {BIN} from './spawn.js'
import {addVeth, mergeNodes, type Topology, wanShape, type WanShapeOptions, withTopology} from './topology.js'

export {canUseNetns} from './topology.js'

export type Netns = {
  name: string
  /** `ip -n <ns> ...args`, throws on failure, returns stdout. */
  ip(...args: string[]): string
  /** Runs argv inside the namespace; returns {code, stdout, stderr}. */
  run(argv: string[], opts?: {input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number}): {code: number; stdout: string; stderr: string}
  /** `ha-tool ...args` inside the namespace, exactly as keepalived would start it (stdin closed). */
  haTool(args: string[], env?: NodeJS.ProcessEnv): {code: number; stdout: string; stderr: string}
}

export type NetnsOptions = {
  /** wan0 (TEST_WAN: 198.51.100.10/24, default route in `table`) with its far end isp0 in the same namespace. */
  wan?: Omit<WanShapeOptions<'node'>, 'isp'>
}

/** One namespace (optionally with the test WAN), deleted in a finally with whatever still runs in it. */
export async function withNetns<T>(name: string, fn: (ns: Netns) => Promise<T> | T, opts: NetnsOptions = {}): Promise<T> {
  const wan = opts.wan ? wanShape('node', opts.wan) : {links: [], nodes: {}}
  return withTopology({prefix: 'hat-', names: {node: name}, nodes: mergeNodes<'node'>({node: {}}, wan.nodes), links: wan.links}, async (t) => fn(netnsOf(t, 'node')))
}

/**
 * A gateway namespace and an ISP namespace joined by the test WAN: the gateway's wan0 (TEST_WAN, default route in
 * `table`), the ISP's isp0 with the router's address(es), so packets really cross the link.
 */
export async function withWanNetns<T>(names: {gw: string; isp: string}, fn: (gw: Netns, isp: Netns) => Promise<T> | T, opts: Omit<WanShapeOptions<'gw'>, 'isp'> = {}): Promise<T> {
  const wan = wanShape<'gw' | 'isp'>('gw', {...opts, isp: 'isp'})
  return withTopology({prefix: 'hat-', names, nodes: mergeNodes<'gw' | 'isp'>({gw: {}, isp: {}}, wan.nodes), links: wan.links}, async (t) => fn(netnsOf(t, 'gw'), netnsOf(t, 'isp')))
}

function netnsOf<N extends string>(t: Topology<N>, node: N): Netns {
  const run: Netns['run'] = (argv, opts = {}) => t.exec(node, argv, {input: opts.input ?? '', env: opts.env, timeoutMs: opts.timeoutMs})
  return {
    name: t.ns[node],
    ip: (...args) => t.ip(node, ...args),
    run,
    haTool: (args, env) => {
      const r = run([process.execPath, BIN, ...args], {env})
      checkJsonOutput([BIN, ...args], r.stdout)
      return r
    },
  }
}

/** Runs a program (stdin closed, 20 s at most) and returns its result; throws with its stderr when it must succeed. */
export function sh(argv: string[], must = true): {code: number | null; stdout: string; stderr: string} {
  const r = spawnSync(argv[0], argv.slice(1), {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000})
  if (must && r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr}`)
  return {code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? ''}
}

/** A veth pair between two namespaces: device an with aAddr in a, bn with bAddr in b, both up. */
export function veth(a: string, an: string, aAddr: string, b: string, bn: string, bAddr: string): void {
  addVeth({ns: a, dev: an, addrs: [aAddr]}, {ns: b, dev: bn, addrs: [bAddr]})
}
