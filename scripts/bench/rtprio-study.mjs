#!/usr/bin/env node
// The VRRP scheduling study (docs/failover.md, keepalived.vrrp_priority): one keepalived pair per setting,
// all at once under the same CPU load, each node running the keepalived.conf `ha-tool config example
// keepalived` prints (advert_int 0.1, nopreempt, equal priorities) with only the scheduling lines
// changed. Counts, per setting, the MASTER moves after the pair settled (unwanted: nothing failed), the
// VRRP children SIGKILLed (RLIMIT_RTTIME), SIGXCPU warnings and real-time escalations.
// Root; makes hat-rtp* namespaces with the topology builder (hold /tmp/hat-ns.lock; run under tsx). Starts its
// load (busy loops, and with --tests the unit+app tier in a loop) and ends it by PID.
//   node --import tsx scripts/bench/rtprio-study.mjs [seconds] [--settings shipped,nice15,...] [--busy N] [--tests] [--flip S]
import {spawn, spawnSync} from 'node:child_process'
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {topology} from './netns.mjs'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const RUN = '/tmp/hat-rtp'
// The scheduling lines each setting puts in global_defs (ha-tool's keepalived.vrrp_priority, or a
// replacement of the example's max_auto_priority line).
const SETTINGS = {
  shipped: {vrrpPriority: 0, globals: null}, // whatever the example prints by default
  maxauto: {vrrpPriority: 0, globals: ['max_auto_priority']},
  nice15: {vrrpPriority: -15, globals: null},
  rt10ms: {vrrpPriority: 0, globals: ['vrrp_rt_priority 1']},
  maxauto1s: {vrrpPriority: 0, globals: ['max_auto_priority', 'vrrp_rlimit_rttime 1000000']},
  rt1s: {vrrpPriority: 0, globals: ['vrrp_rt_priority 1', 'vrrp_rlimit_rttime 1000000']},
  rt100ms: {vrrpPriority: 0, globals: ['vrrp_rt_priority 1', 'max_auto_priority', 'vrrp_rlimit_rttime 100000']},
  rtauto1s: {vrrpPriority: 0, globals: ['vrrp_rt_priority 1', 'max_auto_priority', 'vrrp_rlimit_rttime 1000000']},
  nice15maxauto: {vrrpPriority: -15, globals: ['vrrp_priority -15', 'max_auto_priority', 'min_auto_priority_delay 200000', 'vrrp_rlimit_rttime 1000000']},
}
const args = process.argv.slice(2)
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt)
const seconds = Number(args.find((a) => /^\d+$/.test(a)) ?? 120)
const which = opt('--settings', 'shipped,nice15,maxauto1s').split(',')
const busy = Number(opt('--busy', 4))
const withTests = args.includes('--tests')
// --flip S: every S seconds the MASTER's track_file goes to 1 (FAULT) for a second, so each pair also
// makes wanted transitions (the CPU-heavy part: VIPs, VMAC, gratuitous ARPs) under the load.
const flipEvery = Number(opt('--flip', 0))
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const sh = (cmd) => {
  const r = spawnSync(cmd[0], cmd.slice(1), {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`${cmd.join(' ')}: ${r.stderr.trim()}`)
  return r.stdout
}

function conf(setting, node, dir) {
  const toml = join(dir, 'ha-tool.toml')
  writeFileSync(toml, [
    '[wan]', 'interface = "wan0"',
    '[lan]', 'interface = "lan0"', `address = "10.99.0.${node}/24"`, 'vip = "10.99.0.254"', 'vrid = 51',
    '[keepalived]', 'instance = "VI_1"', 'advert_int_ms = 100', 'dbus = false', `vrrp_priority = ${SETTINGS[setting].vrrpPriority}`,
    '[state]', `dir = "${join(dir, 'state')}"`, '',
  ].join('\n'))
  let text = sh(['node', join(ROOT, 'bin', 'run.js'), 'config', 'example', 'keepalived', '--config', toml])
  // No system bus here: enable_dbus would only log that it cannot connect.
  text = text.replace(/^ {2}enable_dbus\n/m, '')
  const g = SETTINGS[setting].globals
  if (g) {
    text = text.replace(/^ {2}(max_auto_priority|vrrp_rt_priority \d+|vrrp_priority -?\d+|vrrp_rlimit_rttime \d+|min_auto_priority_delay \d+)\n/gm, '')
    text = text.replace(/^global_defs \{\n/m, `global_defs {\n${g.map((l) => `  ${l}\n`).join('')}`)
  }
  return text
}

const {buildTopology} = await topology()
const pairs = which.map((setting, i) => ({setting, ns: [1, 2].map((n) => `hat-rtp${i}-${n}`), procs: [], logs: [], topology: undefined}))
const load = []
try {
  rmSync(RUN, {recursive: true, force: true})
  for (const [i, p] of pairs.entries()) {
    // hat-rtp<i>-1 and -2 on one LAN cable, each with a WAN link (wan0, its far end isp0 in the node itself)
    p.topology = buildTopology({
      prefix: `hat-rtp${i}-`, nodes: {1: {}, 2: {}},
      links: [
        [{node: '1', dev: 'lan0', addrs: ['10.99.0.1/24']}, {node: '2', dev: 'lan0', addrs: ['10.99.0.2/24']}],
        ...['1', '2'].map((n) => [{node: n, dev: 'wan0'}, {node: n, dev: 'isp0'}]),
      ],
    })
    p.ns.forEach((ns, j) => {
      const dir = join(RUN, `${p.setting}-${j + 1}`)
      mkdirSync(join(dir, 'state'), {recursive: true})
      writeFileSync(join(dir, 'state', 'track'), '0\n')
      const file = join(dir, 'keepalived.conf')
      writeFileSync(file, conf(p.setting, j + 1, dir))
      p.logs.push(join(dir, 'keepalived.log'))
      const out = join(dir, 'keepalived.log')
      const child = spawn('sh', ['-c', `exec ip netns exec ${ns} keepalived -P -n -l -D -f ${file} -p ${dir}/k.pid -r ${dir}/v.pid >${out} 2>&1`], {stdio: 'ignore'})
      p.procs.push(child)
    })
  }
  await sleep(5000)
  const mark = pairs.map((p) => p.logs.map((f) => readFileSync(f, 'utf8').length))
  const t0 = Date.now()
  for (let i = 0; i < busy; i++) load.push(spawn('node', ['-e', 'for (;;) {}'], {stdio: 'ignore'}))
  let testRuns = 0
  let tests
  const nextTests = () => {
    if (!withTests || Date.now() - t0 > seconds * 1000) return
    tests = spawn('node', [join(ROOT, 'scripts', 'test.mjs'), 'unit', 'app', '--no-build'], {cwd: ROOT, stdio: 'ignore', detached: true})
    tests.on('exit', () => { testRuns++; nextTests() })
  }
  nextTests()
  const flips = pairs.map(() => 0)
  const isMaster = (ns) => spawnSync('ip', ['-n', ns, '-4', 'addr', 'show', 'dev', 'vrrp.51'], {encoding: 'utf8'}).stdout.includes('10.99.0.254')
  while (Date.now() - t0 < seconds * 1000) {
    if (!flipEvery) { await sleep(seconds * 1000 - (Date.now() - t0)); break }
    await sleep(flipEvery * 1000)
    const flipped = []
    for (const [i, p] of pairs.entries()) {
      const j = p.ns.findIndex(isMaster)
      if (j < 0) continue
      writeFileSync(join(RUN, `${p.setting}-${j + 1}`, 'state', 'track'), '1\n')
      flipped.push(join(RUN, `${p.setting}-${j + 1}`, 'state', 'track'))
      flips[i]++
    }
    await sleep(1000)
    for (const f of flipped) writeFileSync(f, '0\n')
  }
  for (const l of load) l.kill('SIGKILL')
  if (tests && tests.exitCode === null) try { process.kill(-tests.pid, 'SIGKILL') } catch { /* gone */ }
  console.log(`${seconds} s, ${busy} busy loops${flipEvery ? `, MASTER forced over every ${flipEvery} s` : ''}${withTests ? `, unit+app tier in a loop (${testRuns} runs done)` : ''}, ${pairs.length} pairs at once`)
  const count = (text, re) => (text.match(re) ?? []).length
  for (const [i, p] of pairs.entries()) {
    const texts = p.logs.map((f, j) => readFileSync(f, 'utf8').slice(mark[i][j]))
    const all = texts.join('\n')
    console.log(JSON.stringify({
      setting: p.setting,
      globals: SETTINGS[p.setting].globals ?? (SETTINGS[p.setting].vrrpPriority ? [`vrrp_priority ${SETTINGS[p.setting].vrrpPriority}`] : ['(example default)']),
      masterMoves: count(all, /Entering MASTER STATE/g),
      forced: flips[i],
      unwanted: count(all, /Entering MASTER STATE/g) - flips[i],
      sigkill: count(all, /signal 9/g),
      sigxcpu: count(all, /too much CPU time/g),
      escalations: count(all, /Set realtime priority/g),
      lateTimers: count(all, /thread timer expired/g),
      latestTimer: Math.max(0, ...[...all.matchAll(/expired (\d+\.\d+) seconds ago/g)].map((m) => Number(m[1]))),
    }))
  }
} finally {
  for (const l of load) if (l.exitCode === null) l.kill('SIGKILL')
  for (const p of pairs) for (const c of p.procs) if (c.exitCode === null) c.kill('SIGTERM')
  await sleep(1500)
  for (const p of pairs) for (const c of p.procs) if (c.exitCode === null) c.kill('SIGKILL')
  for (const p of pairs) p.topology?.destroy()
}
