// Key `health`: `ha-tool check` as keepalived runs it (stdin closed, exact command line) against a
// target in a namespace that answers at once, side by side with a bare Node script spawning ping
// once (floors/ping-once.mjs); and the daemon monitor's CPU per cycle, children included.
// Namespaces: hat-h5-bench-c (runs everything) and hat-h5-bench-t (the target, 10.55.5.2),
// joined by a veth (the topology builder); both deleted in a finally.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {topology} from './netns.mjs'

const root = new URL('../..', import.meta.url).pathname
const runs = Number(process.env.BENCH_RUNS ?? 40)
const cycles = Number(process.env.BENCH_HEALTH_CYCLES ?? 100)
const sh = (...argv) => execFileSync(argv[0], argv.slice(1), {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
// The floor script shared with the startup bench.
const FLOOR = join(root, 'scripts/bench/floors/ping-once.cjs')
const C = 'hat-h5-bench-c'
const T = 'hat-h5-bench-t'

export async function bench() {
  const dir = mkdtempSync(join(tmpdir(), 'ha-tool-bench-health-'))
  const env = {...process.env}
  delete env.NODE_EXTRA_CA_CERTS
  let topo
  try {
    const {buildTopology} = await topology()
    topo = buildTopology({prefix: 'hat-h5-bench-', nodes: {c: {}, t: {}}, links: [[{node: 'c', dev: 'c0', addrs: ['10.55.5.1/29']}, {node: 't', dev: 't0', addrs: ['10.55.5.2/29', '10.55.5.3/29', '10.55.5.4/29']}]]})
    sh('ip', 'netns', 'exec', C, 'ping', '-c', '1', '-W', '2', '10.55.5.2') // ARP resolved before timing
    const cfg = (name, body) => { const f = join(dir, name); writeFileSync(f, body); return f }
    const state = join(dir, 'state')
    const checkCfg = cfg('check.toml', `[wan]\ninterface = "c0"\n[health]\nvia = "main"\ntargets = ["10.55.5.2"]\n[state]\ndir = "${state}"\n`)
    const bin = join(root, 'bin/run.js')
    const inC = (argv) => execFileSync('ip', ['netns', 'exec', C, ...argv], {encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe']})
    const commands = {
      'floor: node + ping once': [process.execPath, FLOOR, '10.55.5.2'],
      'check --target (no config file)': [process.execPath, bin, 'check', '--target', '10.55.5.2'],
      'check (targets from config)': [process.execPath, bin, 'check', '--config', checkCfg],
      'node -e 0': [process.execPath, '-e', '0'],
      // What check avoids on its path: the ping package (it spawns the same binary), pino, and the TOML parser.
      'node -e require(ping)': [process.execPath, '-e', `require(${JSON.stringify(join(root, 'node_modules/ping'))})`],
      'node -e require(pino)': [process.execPath, '-e', `require(${JSON.stringify(join(root, 'node_modules/pino'))})`],
      'node -e require(smol-toml)': [process.execPath, '-e', `require(${JSON.stringify(join(root, 'node_modules/smol-toml'))})`],
    }
    const t = JSON.parse(inC([process.execPath, join(root, 'scripts/bench/timer.mjs'), JSON.stringify({runs, warmup: 3, commands, expectExit: {'check --target (no config file)': 0, 'check (targets from config)': 0, 'floor: node + ping once': 0}})]))
    const floor = t['floor: node + ping once'].median
    const monitor = (targets) => {
      const f = cfg(`mon-${targets.length}-${targets[0].slice(0, 3)}.toml`, `[wan]\ninterface = "c0"\n[health]\nvia = "main"\ntargets = ${JSON.stringify(targets)}\ninterval_ms = 100\ntimeout_ms = 80\n[state]\ndir = "${state}"\n`)
      return JSON.parse(inC([process.execPath, join(root, 'scripts/bench/health-monitor-cpu.mjs'), f, String(cycles)]))
    }
    const icmp = monitor(['10.55.5.2'])
    const icmp3 = monitor(['10.55.5.2', '10.55.5.3', '10.55.5.4'])
    const tcp = monitor(['tcp://10.55.5.1:9']) // refused at once by our own namespace's kernel: a full probe, no child
    return {
      runs,
      medians_ms: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.median])),
      p90_ms: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.p90])),
      import_cost_ms: Object.fromEntries(['ping', 'pino', 'smol-toml'].map((m) => [m, +(t[`node -e require(${m})`].median - t['node -e 0'].median).toFixed(2)])),
      ratios: {
        'check --target / floor(node + ping)': +(t['check --target (no config file)'].median / floor).toFixed(3),
        'check with config / floor(node + ping)': +(t['check (targets from config)'].median / floor).toFixed(3),
      },
      monitor_cpu_per_cycle: {icmp_1_target: icmp, icmp_3_targets: icmp3, tcp_1_target: tcp},
      budget: {check_ratio_max: 1.3, monitor_cpu_ms_per_cycle_max: 5},
      note: `timed inside netns ${C} against 10.55.5.2 in ${T}, each command once per round, ${runs} rounds; monitor at interval 100 ms for ${cycles} cycles`,
    }
  } finally {
    topo?.destroy()
    rmSync(dir, {recursive: true, force: true})
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${JSON.stringify(await bench(), null, 2)}\n`)
