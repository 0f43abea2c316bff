// The daemon's health monitor against real targets in namespaces: the track_file it writes with
// rise/fall, `ha-tool maintenance on|off` across a monitor restart, and its long-running ping
// streams (one process per target, not per cycle, gone when the monitor is killed).
import assert from 'node:assert/strict'
import type {ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {BIN, cleanEnv, ROOT, run} from '../../support/spawn.js'
import {sh} from '../../support/netns.js'
import {ADDR, skipReason, type Topology, useTopology} from './topology.js'

const skip = skipReason()
let topo: Topology
let dir: string
useTopology((t, d) => { topo = t; dir = d })

type Cycle = {status: string; value: number; reason: string; pings: number[]}

/** The monitor in the node namespace; cycles() yields what it reported so far. */
function startMonitor(configPath: string): {proc: ChildProcess; cycles: Cycle[]; next(pred: (c: Cycle) => boolean, ms?: number): Promise<Cycle>} {
  const proc = topo.spawnIn(topo.N, [process.execPath, '--import', 'tsx', join(ROOT, 'test/support/health-monitor-runner.ts'), configPath], cleanEnv())
  const cycles: Cycle[] = []
  let buf = ''
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d
    let nl: number
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, nl)) as Cycle & {stopped?: boolean}
      buf = buf.slice(nl + 1)
      if (!line.stopped) cycles.push(line)
    }
  })
  const next = async (pred: (c: Cycle) => boolean, ms = 5000) => {
    const from = cycles.length
    const until = Date.now() + ms
    for (;;) {
      const hit = cycles.slice(from).find(pred)
      if (hit) return hit
      if (Date.now() > until || proc.exitCode !== null) throw new Error(`no matching cycle in ${ms} ms; last: ${JSON.stringify(cycles.at(-1))}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  return {proc, cycles, next}
}

const stop = (p: ChildProcess) => new Promise<void>((resolve) => { if (p.exitCode !== null || p.signalCode !== null) { resolve(); return } p.once('exit', () => resolve()); p.kill('SIGTERM') })

describe('health monitor: track_file, maintenance, ping streams', {skip}, () => {
  const cfg = () => {
    const f = join(dir, 'monitor.toml')
    writeFileSync(f, `[wan]\ninterface = "c0"\n[health]\nvia = "main"\ntargets = ["${ADDR.target}", "tcp://${ADDR.target}:7001"]\nmin_ok = 2\ninterval_ms = 200\ntimeout_ms = 150\nrise = 2\nfall = 2\n[state]\ndir = "${join(dir, 'state')}"\n`)
    return f
  }
  const track = () => join(dir, 'state', 'track')
  const readTrack = () => (existsSync(track()) ? readFileSync(track(), 'utf8') : undefined)

  test('healthy -> 0; target gone -> 1 after fall cycles; back -> 0 after rise cycles', async () => {
    const m = startMonitor(cfg())
    try {
      await m.next((c) => c.status === 'healthy')
      assert.equal(readTrack(), '0\n')
      sh(['ip', '-n', topo.T, 'link', 'set', 't0', 'down'])
      const failedAt = Date.now()
      const bad = await m.next((c) => c.status === 'unhealthy', 5000)
      assert.ok(Date.now() - failedAt >= 200, 'not on the first failed cycle (fall 2)')
      assert.equal(bad.value, 1)
      assert.equal(readTrack(), '1\n')
      sh(['ip', '-n', topo.T, 'link', 'set', 't0', 'up'])
      await m.next((c) => c.status === 'healthy', 8000)
      assert.equal(readTrack(), '0\n')
    } finally {
      sh(['ip', '-n', topo.T, 'link', 'set', 't0', 'up'], false)
      await stop(m.proc)
    }
  })

  test('one ping process per ICMP target for the monitor\'s whole life, not one per cycle', async () => {
    const m = startMonitor(cfg())
    try {
      const first = await m.next((c) => c.pings.length === 1)
      for (let i = 0; i < 5; i++) await m.next(() => true)
      assert.deepEqual(m.cycles.at(-1)!.pings, first.pings)
      const pid = first.pings[0]
      assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '), new RegExp(`^ping -n -O -4 -i 0\\.200 ${ADDR.target.replace(/\./g, '\\.')} $`))
      // SIGKILL the monitor: the ping's next write hits a closed pipe and it ends too.
      m.proc.kill('SIGKILL')
      await topo.waitFor(() => !existsSync(`/proc/${pid}`), `ping ${pid} to end after its monitor was killed`, 3000)
    } finally {
      await stop(m.proc)
    }
  })

  test('maintenance on demotes at once and holds across a monitor restart; off re-admits', async () => {
    const config = cfg()
    const cli = (args: string[]) => run(['ip', 'netns', 'exec', topo.N, process.execPath, BIN, ...args, '--config', config], {env: cleanEnv()})
    let m = startMonitor(config)
    try {
      await m.next((c) => c.status === 'healthy')
      const on = await cli(['maintenance', 'on', '--json'])
      assert.equal(on.code, 0, on.stderr)
      assert.deepEqual({...JSON.parse(on.stdout), since: 0}, {maintenance: true, changed: true, since: 0, trackFile: track(), value: 2, flagFile: join(dir, 'state', 'maintenance')})
      assert.equal(readTrack(), '2\n', 'written by the command itself, before any cycle')
      await m.next((c) => c.status === 'maintenance')
      await stop(m.proc)
      m = startMonitor(config)
      const first = await m.next(() => true)
      assert.equal(first.status, 'maintenance', 'the restarted monitor keeps the node demoted')
      assert.equal(readTrack(), '2\n')
      const off = await cli(['maintenance', 'off'])
      assert.equal(off.code, 0, off.stderr)
      assert.match(off.stdout, /^maintenance off: .*track = 0; this node is eligible again\n$/)
      assert.equal(readTrack(), '0\n')
      await m.next((c) => c.status === 'healthy')
      assert.equal(readTrack(), '0\n')
    } finally {
      await stop(m.proc)
    }
  })
  test('WAN path: the ping stream is bound to the WAN device, so a dead WAN is unhealthy though the LAN reaches the target', async () => {
    const stateDir = join(dir, 'state-wan')
    mkdirSync(stateDir, {recursive: true})
    writeFileSync(join(stateDir, 'state.json'), JSON.stringify({version: 1, role: 'MASTER', source: 'test', instance: 'VI_1', startedAt: 0, finishedAt: 0, exit: 0, steps: [], history: []}))
    const f = join(dir, 'monitor-wan.toml')
    writeFileSync(f, `[wan]\ninterface = "c0"\n[health]\nvia = "wan"\ntargets = ["${ADDR.internet}"]\ninterval_ms = 200\ntimeout_ms = 150\nrise = 2\nfall = 2\n[state]\ndir = "${stateDir}"\n`)
    topo.setMainDefault(true)
    const m = startMonitor(f)
    try {
      const first = await m.next((c) => c.status === 'healthy' && c.pings.length === 1)
      assert.match(readFileSync(`/proc/${first.pings[0]}/cmdline`, 'utf8').replace(/\0/g, ' '), new RegExp(`^ping -n -O -4 -i 0\\.200 -I c0 ${ADDR.internet.replace(/\./g, '\\.')} $`))
      const lan = topo.txPackets('l0')
      topo.setWanDead(true)
      const bad = await m.next((c) => c.status === 'unhealthy', 5000)
      assert.equal(bad.value, 1)
      assert.equal(topo.txPackets('l0'), lan, 'no echo left through the LAN')
      topo.setWanDead(false)
      await m.next((c) => c.status === 'healthy', 8000)
    } finally {
      topo.setWanDead(false)
      topo.setMainDefault(false)
      await stop(m.proc)
    }
  })
})
