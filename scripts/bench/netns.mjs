// Throw-away network namespaces for benchmarks (names start with hat-bench-), deleted in a finally.
import {execFileSync} from 'node:child_process'

export const sh = (argv, input) => execFileSync(argv[0], argv.slice(1), {input, encoding: 'utf8', stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']})

/** A namespace with a WAN-like veth (wan0, 198.51.100.10/24, default via .1 in table 250) and a peer isp0 (.1). */
export async function withWanNetns(name, fn) {
  if (!name.startsWith('hat-bench-')) throw new Error('bench namespaces start with hat-bench-')
  try { sh(['ip', 'netns', 'del', name]) } catch {}
  sh(['ip', 'netns', 'add', name])
  try {
    const ip = (...a) => sh(['ip', '-n', name, ...a])
    ip('link', 'set', 'lo', 'up')
    ip('link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 'isp0')
    ip('link', 'set', 'wan0', 'up')
    ip('link', 'set', 'isp0', 'up')
    ip('addr', 'add', '198.51.100.10/24', 'dev', 'wan0')
    ip('route', 'add', 'default', 'via', '198.51.100.1', 'dev', 'wan0', 'table', '250')
    return await fn(name)
  } finally {
    try { sh(['ip', 'netns', 'del', name]) } catch {}
  }
}
