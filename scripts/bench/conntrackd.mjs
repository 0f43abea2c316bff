#!/usr/bin/env node
// conntrackd benchmark (key `conntrackd`): what ha-tool's MASTER steps cost against primary-backup.sh's bare
// commands, side by side on two real conntrackd daemons (namespaces hat-h7-bench-a/b, FTFW over UDP on a
// veth, 200 synced flows), each on the conntrackd.conf `ha-tool config example conntrackd` prints from its
// node's ha-tool config. `-c` is on the path clients wait on (before the WAN opens); ha-tool adds the commit
// check (kernel count and the conntrackd log). Interleaved rounds, medians.
// Env: BENCH_CONNTRACKD_N (default 20). Run alone: node --import tsx scripts/bench/conntrackd.mjs (after a build; root).
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {topology} from './netns.mjs'

const sh = (argv) => execFileSync(argv[0], argv.slice(1), {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
const root = new URL('../..', import.meta.url).pathname
const median = (xs) => { const v = [...xs].sort((a, b) => a - b); const m = v.length >> 1; return +(v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2).toFixed(2) }

/** One node's ha-tool config: the sync link and its own conntrackd socket, lock and log (two conntrackd on one host). */
function haToolToml(dir, me) {
  return `[wan]\ninterface = "wan0"\n[sync]\ninterface = "sync0"\naddress = "${me}/30"\n`
    + `[conntrackd]\nenabled = true\nconfig = "${join(dir, 'conntrackd.conf')}"\nsocket = "${join(dir, 'ct.sock')}"\nlock_file = "${join(dir, 'lock')}"\nlog_file = "${join(dir, 'conntrackd.log')}"\n`
    + `[state]\ndir = "${dir}"\n`
}

/** conntrackd.conf as users get it: `ha-tool config example conntrackd` on the node's config. */
function conf(toml) {
  return execFileSync(process.execPath, [join(root, 'bin/run.js'), 'config', 'example', 'conntrackd', '--config', toml], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
}

/** Inside namespace b: N interleaved rounds of the bare sequence and of ha-tool's executors. */
async function child(confPath, tomlPath, n) {
  const {createExec} = await import(join(root, 'dist/adapters/exec.js'))
  const {silentLogger} = await import(join(root, 'dist/adapters/log.js'))
  const {loadConfig} = await import(join(root, 'dist/config/load.js'))
  const {conntrackTransition, conntrackdSettings} = await import(join(root, 'dist/app/steps/conntrack.js'))
  const {realConntrackBackend} = await import(join(root, 'dist/wiring/conntrack.js'))
  const {config} = loadConfig(tomlPath)
  const deps = {log: silentLogger}
  const ct = conntrackTransition(config, realConntrackBackend(conntrackdSettings(config), createExec(), silentLogger))
  const bare = (flag) => spawnSync('conntrackd', ['-C', confPath, flag], {stdio: 'ignore'})
  const t = {bareCommit: [], haCommit: [], bareAfter: [], haAfter: []}
  for (let i = 0; i < n; i++) {
    let t0 = performance.now()
    bare('-c')
    t.bareCommit.push(performance.now() - t0)
    t0 = performance.now()
    for (const f of ['-f', '-R', '-B']) bare(f)
    t.bareAfter.push(performance.now() - t0)
    const plan = ct.plan('MASTER')
    t0 = performance.now()
    for (const s of plan.beforeWan) await ct.executors[s.kind](s, deps)
    t.haCommit.push(performance.now() - t0)
    t0 = performance.now()
    for (const s of plan.afterWan) await ct.executors[s.kind](s, deps)
    t.haAfter.push(performance.now() - t0)
  }
  const r = Object.fromEntries(Object.entries(t).map(([k, v]) => [`${k}MedianMs`, median(v)]))
  process.stdout.write(JSON.stringify({n, flows: 200, ...r, commitRatio: +(r.haCommitMedianMs / r.bareCommitMedianMs).toFixed(2), afterWanRatio: +(r.haAfterMedianMs / r.bareAfterMedianMs).toFixed(2)}))
}

export async function bench() {
  if (process.getuid?.() !== 0) return {skipped: 'needs root (network namespaces)'}
  if (spawnSync('sh', ['-c', 'command -v conntrackd && command -v conntrack'], {stdio: 'ignore'}).status !== 0) return {skipped: 'conntrackd or conntrack missing'}
  const n = Number(process.env.BENCH_CONNTRACKD_N ?? 20)
  const dir = mkdtempSync(join(tmpdir(), 'hat-h7-bench-'))
  const addr = {a: '10.199.9.1', b: '10.199.9.2'}
  let topo
  try {
    const {buildTopology} = await topology()
    topo = buildTopology({prefix: 'hat-h7-bench-', nodes: {a: {}, b: {}}, links: [[{node: 'a', dev: 'sync0', addrs: [`${addr.a}/30`]}, {node: 'b', dev: 'sync0', addrs: [`${addr.b}/30`]}]]})
    const ns = topo.ns
    for (const x of ['a', 'b']) {
      const other = x === 'a' ? 'b' : 'a'
      sh(['mkdir', '-p', join(dir, x)])
      writeFileSync(join(dir, x, 'config.toml'), haToolToml(join(dir, x), addr[x]))
      const text = conf(join(dir, x, 'config.toml'))
      if (!text.includes(`IPv4_Destination_Address ${addr[other]}`)) throw new Error(`bench conntrackd: the example does not send to ${addr[other]}`)
      writeFileSync(join(dir, x, 'conntrackd.conf'), text)
      sh(['ip', 'netns', 'exec', ns[x], 'conntrackd', '-d', '-C', join(dir, x, 'conntrackd.conf')])
    }
    await new Promise((r) => setTimeout(r, 300))
    for (let i = 0; i < 200; i++) {
      sh(['ip', 'netns', 'exec', ns.a, 'conntrack', '-I', '-p', 'tcp', '-s', `192.0.2.${1 + (i % 200)}`, '-d', '198.51.100.7', '--sport', String(20000 + i), '--dport', '443', '--state', 'ESTABLISHED', '-u', 'ASSURED', '-t', '600'])
    }
    await new Promise((r) => setTimeout(r, 500))
    const synced = sh(['ip', 'netns', 'exec', ns.b, 'conntrackd', '-C', join(dir, 'b', 'conntrackd.conf'), '-e']).split('\n').filter((l) => l.includes('dport=443')).length
    if (synced < 200) throw new Error(`bench conntrackd: only ${synced} of 200 flows reached b's external cache`)
    const out = sh(['ip', 'netns', 'exec', ns.b, process.execPath, new URL(import.meta.url).pathname, '--child', join(dir, 'b', 'conntrackd.conf'), join(dir, 'b', 'config.toml'), String(n)])
    return JSON.parse(out)
  } finally {
    topo?.destroy()
    rmSync(dir, {recursive: true, force: true})
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], Number(process.argv[5]))
else if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await bench(), null, 2))
