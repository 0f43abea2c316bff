#!/usr/bin/env node
// Runs the daemon's health monitor (built code) for N cycles and prints its CPU per cycle,
// child processes (ping) included: utime+stime+cutime+cstime from /proc/self/stat (clock
// ticks, 10 ms, so it is read over many cycles), and process.cpuUsage() for our own share.
// Usage (inside the namespace that holds the target): health-monitor-cpu.mjs CONFIG CYCLES
import {readFileSync} from 'node:fs'

const root = new URL('../..', import.meta.url).pathname
const [configPath, cyclesArg] = process.argv.slice(2)
const cycles = Number(cyclesArg ?? 100)
const {loadConfig} = await import(`${root}dist/config/load.js`)
const {startHealthMonitor} = await import(`${root}dist/app/health-monitor.js`)
const {createMonitorDeps} = await import(`${root}dist/wiring/health.js`)
const {silentLogger} = await import(`${root}dist/adapters/log.js`)

const {config} = loadConfig(configPath)
// Fields after the comm: index 11..14 are utime, stime, cutime, cstime (clock ticks).
const stat = (pid) => { try { const t = readFileSync(`/proc/${pid}/stat`, 'utf8'); return t.slice(t.lastIndexOf(')') + 2).split(' ').map(Number) } catch { return undefined } }
const deps = createMonitorDeps(config.state.dir, config.health.interval_ms)
// Our own time, the children we reaped (cutime), and the running ping streams' own time.
const ticks = () => {
  const f = stat('self')
  const running = deps.icmpPids().map((pid) => [pid, stat(pid)]).filter(([, s]) => s).map(([pid, s]) => [pid, s[11] + s[12]])
  return {self: f[11] + f[12], reaped: f[13] + f[14], running: new Map(running)}
}
const childTicks = (a, b) => {
  let n = b.reaped - a.reaped
  for (const [pid, t] of b.running) n += t - (a.running.get(pid) ?? 0)
  return n
}
const hz = 100 // USER_HZ on Linux
const mon = startHealthMonitor(deps, config, silentLogger)
let last = await mon.nextCycle()
for (let i = 0; i < 3; i++) last = await mon.nextCycle() // warm up
const t0 = ticks()
const c0 = process.cpuUsage()
const w0 = performance.now()
for (let i = 0; i < cycles; i++) last = await mon.nextCycle()
const c1 = process.cpuUsage(c0)
const t1 = ticks()
const wall = performance.now() - w0
const pings = deps.icmpPids().length
await mon.stop()
const per = (x) => +(x / cycles).toFixed(3)
process.stdout.write(JSON.stringify({
  cycles,
  status: last.status,
  cpu_ms_per_cycle_total: per(((t1.self - t0.self) + childTicks(t0, t1)) * 1000 / hz),
  cpu_ms_per_cycle_children: per(childTicks(t0, t1) * 1000 / hz),
  ping_processes: pings,
  cpu_ms_per_cycle_self_precise: per((c1.user + c1.system) / 1000),
  wall_ms_per_cycle: per(wall),
}))
