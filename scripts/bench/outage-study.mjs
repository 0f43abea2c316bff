#!/usr/bin/env node
// Where the time between the VIP on the new MASTER and the client's recovery goes (issue 14), per mode.
// Lab failovers on the shipped configs; during each, `perf record` (kernel tracepoints: fork, exec, exit, all
// CPUs, monotonic clock) and `ip -ts monitor` on both gateways. Per run it prints, in ms from the VIP appearing
// on the new MASTER: keepalived forking the notify script (notify mode), the script's exec, its children's
// execs (nft, ip, conntrackd...), the transition's start as state.json records it (lock taken), its steps, the
// WAN rule in the kernel, and the client's first answer.
// Usage (root, after a build, under the lock):
//   flock /tmp/hat-ns.lock node --import tsx scripts/bench/outage-study.mjs [--mode notify|fifo] [--kind stop|lan|node] [--runs N] [--bin PATH]
import {spawn} from 'node:child_process'
import {readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import * as lab from '../lab.ts'

const args = process.argv.slice(2)
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt }
const mode = opt('--mode', 'notify')
const kind = opt('--kind', 'stop')
const runs = Number(opt('--runs', 3))
const bin = opt('--bin', process.env.HAT_LAB_BIN ?? '')
const PERF = '/tmp/hat-outage-study.perf'

// monotonic (perf) -> wall clock (ip -ts monitor, state.json)
const monoToWall = () => Date.now() - Number(process.hrtime.bigint()) / 1e6

function startMonitor(gw) {
  const p = spawn('ip', ['-n', lab.NS[gw], '-ts', '-o', 'monitor', 'address', 'rule'], {stdio: ['ignore', 'pipe', 'ignore']})
  const events = []
  let buf = ''
  p.stdout.setEncoding('utf8').on('data', (d) => {
    buf += d
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      const m = /^\[(\d{4}-\d\d-\d\dT[\d:.]+)([+-]\d\d:?\d\d)?\]\s*(.*)$/.exec(line)
      if (m) events.push({at: Date.parse(m[1] + (m[2] ?? 'Z')), line: m[3]})
    }
  })
  return {events, stop: () => p.kill('SIGTERM')}
}

function startPerf() {
  rmSync(PERF, {force: true})
  const p = spawn('perf', ['record', '-k', 'mono', '-a', '-o', PERF, '-e', 'sched:sched_process_fork', '-e', 'sched:sched_process_exec', '-e', 'sched:sched_process_exit'], {stdio: ['ignore', 'ignore', 'pipe']})
  return new Promise((resolve) => {
    let err = ''
    p.stderr.on('data', (d) => { err += d })
    setTimeout(() => resolve({stop: () => new Promise((r) => { p.once('exit', r); p.kill('SIGINT') }), err: () => err}), 400)
  })
}

/** perf script lines -> {comm, pid, at (wall ms), event, detail} */
function readPerf(offset) {
  const out = spawn('perf', ['script', '-i', PERF, '-F', 'comm,pid,time,event,trace', '--ns'], {stdio: ['ignore', 'pipe', 'ignore']})
  return new Promise((resolve) => {
    let text = ''
    out.stdout.setEncoding('utf8').on('data', (d) => { text += d })
    out.once('close', () => {
      const ev = []
      for (const line of text.split('\n')) {
        const m = /^\s*(.+?)\s+(\d+)\s+([\d.]+):\s+sched:(\S+):\s*(.*)$/.exec(line)
        if (m) ev.push({comm: m[1], pid: Number(m[2]), at: Number(m[3]) * 1000 + offset, event: m[4], detail: m[5]})
      }
      resolve(ev)
    })
  })
}

const fmt = (x) => (x === null || x === undefined ? '   -  ' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}`.padStart(7))

async function main() {
  if (process.getuid?.() !== 0) throw new Error('needs root')
  await lab.acquireLabLock(String(process.pid))
  try {
    await lab.up({mode, keepalivedGuard: mode !== 'baseline', bin})
    for (let i = 0; i < runs; i++) {
      const {master: old} = await lab.settle(300)
      const neu = old === 'gw1' ? 'gw2' : 'gw1'
      const mon = startMonitor(neu)
      const perf = await startPerf()
      const offset = monoToWall()
      const r = await lab.failover(kind, {restoreAfter: true, settleMs: 1200, lease: false})
      await perf.stop()
      mon.stop()
      const ev = await readPerf(offset)
      const state = JSON.parse(readFileSync(join(lab.RUN, neu, 'state', 'state.json'), 'utf8'))
      const vip = mon.events.find((e) => /inet 192\.168\.1\.3\//.test(e.line) && !e.line.startsWith('Deleted'))?.at
      const rule = mon.events.find((e) => /lookup 250/.test(e.line) && !e.line.startsWith('Deleted'))?.at
      if (vip === undefined) { console.log(`run ${i + 1}: no VIP event seen`); continue }
      const rel = (t) => (t === undefined ? undefined : t - vip)
      // the notify process: forked by keepalived after the VIP; its descendants
      const forks = ev.filter((e) => e.event === 'sched_process_fork')
      const kids = new Map() // child pid -> parent pid
      for (const f of forks) { const m = /child_pid=(\d+)/.exec(f.detail); if (m) kids.set(Number(m[1]), {parent: f.pid, parentComm: f.comm, at: f.at}) }
      const lines = []
      // parents from the trace, else (processes older than it: keepalived's VRRP child) from /proc
      const ppid = (pid) => { try { return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]) } catch { return undefined } }
      const descends = (pid, root) => { for (let p = pid, n = 0; p && n < 20; n++) { if (p === root) return true; p = kids.get(p)?.parent ?? ppid(p) } return false }
      let root
      if (mode === 'notify') {
        // keepalived of the new MASTER (its VRRP child forks the script); not the old node's
        const kaPid = lab.pidOf(`${neu}-keepalived`)
        const ka = [...kids.entries()].find(([, k]) => k.parentComm.startsWith('keepalived') && k.at >= vip - 50 && kaPid !== undefined && descends(k.parent, kaPid))
        if (ka) { root = ka[0]; lines.push(['keepalived forks the notify script', ka[1].at]) }
      } else {
        // the daemon: its pid from the lab
        root = lab.pidOf(`${neu}-hatd`)
      }
      for (const e of ev) {
        if (e.at < vip - 50 || e.at > vip + 400) continue
        if (e.comm.startsWith('conntrackd') && e.event === 'sched_process_fork') { lines.push([`conntrackd ${e.pid} forks ${/child_pid=(\d+)/.exec(e.detail)?.[1]}`, e.at]); continue }
        if (e.comm.startsWith('conntrackd') && e.event === 'sched_process_exit') { lines.push([`conntrackd ${e.pid} exits`, e.at]); continue }
        if (root === undefined || !descends(e.pid, root)) continue
        if (e.event === 'sched_process_exec') {
          const exit = ev.find((x) => x.event === 'sched_process_exit' && x.pid === e.pid && x.at >= e.at)
          lines.push([`exec ${/filename=(\S+)/.exec(e.detail)?.[1] ?? e.comm} (pid ${e.pid} of ${kids.get(e.pid)?.parent}${exit ? `, exits after ${(exit.at - e.at).toFixed(1)} ms` : ''})`, e.at])
        }
        if (e.event === 'sched_process_exit' && e.pid === root && mode === 'notify') lines.push(['notify script exits', e.at])
      }
      if (state.startedAt >= vip - 50) {
        lines.push(['transition starts (lock taken, state.json)', state.startedAt])
        for (const s of state.steps ?? []) lines.push([`  step ${s.kind} ${s.status} ${s.durationMs} ms`, null])
        lines.push(['transition finished (state.json)', state.finishedAt])
      }
      if (rule !== undefined) lines.push(['WAN rule in the kernel (ip monitor)', rule])
      const recovered = r.recoveredMs !== null && r.vipMs !== null ? vip + (r.recoveredMs - r.vipMs) : undefined
      if (recovered !== undefined) lines.push(['client recovered', recovered])
      lines.sort((a, b) => (a[1] ?? Infinity) - (b[1] ?? Infinity))
      console.log(`run ${i + 1} (${mode} ${kind} ${old} -> ${neu}): outage ${r.outageMs} ms, VIP ${r.vipMs} ms after the failure; ms from the VIP:`)
      for (const [what, at] of lines) console.log(`  ${at === null ? '       ' : fmt(rel(at))}  ${what}`)
    }
  } finally {
    await lab.down({quiet: true})
    lab.releaseLabLock()
    rmSync(PERF, {force: true})
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1 })
