// Throw-away network namespaces for integration tests. Names must start with hat-; each test
// deletes its namespace in a finally. Commands run inside with `ip netns exec`.
import {execFileSync, spawnSync} from 'node:child_process'
import {checkJsonOutput} from './json-contract.js'
import {BIN} from './spawn.js'

export type Netns = {
  name: string
  /** `ip -n <ns> ...args`, throws on failure, returns stdout. */
  ip(...args: string[]): string
  /** Runs argv inside the namespace; returns {code, stdout, stderr}. */
  run(argv: string[], opts?: {input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number}): {code: number; stdout: string; stderr: string}
  /** `ha-tool ...args` inside the namespace, exactly as keepalived would start it (stdin closed). */
  haTool(args: string[], env?: NodeJS.ProcessEnv): {code: number; stdout: string; stderr: string}
}

export function canUseNetns(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces'
  try { execFileSync('ip', ['netns', 'list'], {stdio: 'ignore'}) } catch { return 'ip netns is not available' }
  return undefined
}

export async function withNetns<T>(name: string, fn: (ns: Netns) => Promise<T> | T): Promise<T> {
  if (!name.startsWith('hat-')) throw new Error('test namespaces must start with hat-')
  try { execFileSync('ip', ['netns', 'del', name], {stdio: 'ignore'}) } catch { /* not there */ }
  execFileSync('ip', ['netns', 'add', name])
  const run: Netns['run'] = (argv, opts = {}) => {
    try {
      const stdout = execFileSync('ip', ['netns', 'exec', name, ...argv], {input: opts.input ?? '', encoding: 'utf8', env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 30_000, stdio: ['pipe', 'pipe', 'pipe']})
      return {code: 0, stdout, stderr: ''}
    } catch (error) {
      const e = error as {status?: number; stdout?: string; stderr?: string}
      return {code: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? ''}
    }
  }
  const ns: Netns = {
    name,
    ip: (...args) => execFileSync('ip', ['-n', name, ...args], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']}),
    run,
    haTool: (args, env) => {
      const r = run([process.execPath, BIN, ...args], {env})
      checkJsonOutput([BIN, ...args], r.stdout)
      return r
    },
  }
  try {
    ns.ip('link', 'set', 'lo', 'up')
    return await fn(ns)
  } finally {
    try { execFileSync('ip', ['netns', 'del', name], {stdio: 'ignore'}) } catch { /* already gone */ }
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
  sh(['ip', '-n', a, 'link', 'add', an, 'type', 'veth', 'peer', 'name', bn, 'netns', b])
  sh(['ip', '-n', a, 'addr', 'add', aAddr, 'dev', an])
  sh(['ip', '-n', b, 'addr', 'add', bAddr, 'dev', bn])
  sh(['ip', '-n', a, 'link', 'set', an, 'up'])
  sh(['ip', '-n', b, 'link', 'set', bn, 'up'])
}
