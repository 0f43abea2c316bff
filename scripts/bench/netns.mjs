// Throw-away network namespaces for benchmarks (names start with hat-bench-), on the one topology builder
// (test/support/topology.ts, TypeScript: benchmarks run under tsx, `npm run bench` or `node --import tsx`),
// deleted with whatever still runs in them in a finally.
import {execFileSync} from 'node:child_process'

export const sh = (argv, input) => execFileSync(argv[0], argv.slice(1), {input, encoding: 'utf8', stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']})

/** The topology builder (loaded on use, so a benchmark's own child processes run under plain node). */
export async function topology() {
  try {
    return await import('../../test/support/topology.ts')
  } catch (error) {
    throw new Error(`bench: the topology builder is TypeScript: run benchmarks with \`npm run bench\` or \`node --import tsx\` (${error.message})`)
  }
}

/** A namespace with the test WAN (the builder's wanShape: wan0 198.51.100.10/24, default via .1 in table 250, its peer isp0 in the namespace). */
export async function withWanNetns(name, fn) {
  if (!name.startsWith('hat-bench-')) throw new Error('bench namespaces start with hat-bench-')
  const {withTopology, wanShape, mergeNodes} = await topology()
  const wan = wanShape('node')
  return withTopology({prefix: 'hat-bench-', names: {node: name}, nodes: mergeNodes({node: {}}, wan.nodes), links: wan.links}, () => fn(name))
}
