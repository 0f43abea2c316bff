// Network namespaces for these tests, named hat-h8-*, always deleted in a finally; and processes
// started in them, always killed by PID.
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {withTopology} from '../../support/topology.js'

export function sh(argv: string[], input?: string): {code: number | null; stdout: string; stderr: string} {
  const r = spawnSync(argv[0], argv.slice(1), {encoding: 'utf8', input, timeout: 20_000})
  return {code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? ''}
}

export function must(argv: string[], input?: string): string {
  const r = sh(argv, input)
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: exit ${r.code}: ${r.stderr.trim()}`)
  return r.stdout
}

/** Why namespace tests cannot run here (undefined: they can). */
export function netnsSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for network namespaces'
  if (sh(['ip', '-V']).code !== 0) return 'iproute2 (ip) is not installed'
  return undefined
}

/** A namespace (the topology builder's) with veth links named as asked (each with its peer end `<name>p` inside too), up. */
export async function withNetns<T>(tag: string, links: string[], fn: (ns: string) => Promise<T>): Promise<T> {
  return withTopology({prefix: `hat-h8-${tag}-`, suffix: String(process.pid), nodes: {'': {}}, links: links.map((l) => [{node: '', dev: l}, {node: '', dev: `${l}p`}])}, (t) => fn(t.ns['']))
}

/** Starts a long-running program inside a namespace; stop() kills exactly that PID and waits for it. */
export function startIn(ns: string, argv: string[]): {child: ChildProcess; output(): string; stop(): Promise<void>} {
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], {stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d })
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { out += d })
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}

export async function waitFor(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
