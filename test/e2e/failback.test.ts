// Failback with preemption on (issue 16): the lab runs the shipped configs with `keepalived.preempt = true`
// (the example's preempt_delay instead of nopreempt; gw1 has priority 200, gw2 100), the FIFO daemon, the peer
// port, conntrackd and nf_conntrack_tcp_loose=0, so the kernel drops a mid-stream packet of a flow it has no
// entry for instead of picking it up.
//
// gw1 (MASTER) loses power; gw2 takes over. While gw1 is away the LAN client opens NEW flows through gw2: a
// long-lived TCP stream and idle TCP connections. gw1 comes back (its /run, state.dir included, emptied as by a
// reboot; conntrackd and the kernel table empty) and would preempt at once. The test asserts that it stays out
// of MASTER (FAULT, track_file 3) while its failback gate is closed, that `status --json` shows the gate closed
// with the flows missing, that it takes over only after the gate opened, and that both TCP streams, the one from
// before the failover and the one opened during the outage, survive the failback. Then the same with
// HA_TOOL_TEST_FAILBACK_GATE=open for the returning daemon: gw1 takes over without the flows and the streams die.
//
// Why the sync is held back for a while: the shipped conntrackd example has `StartupResync on` and the daemon's
// BACKUP plan asks for a resync (`conntrackd -n`), and keepalived waits preempt_delay (2 s) before it preempts;
// in the lab the MASTER's few flows cross the sync link in milliseconds, so without the gate the cache would
// usually be full before the takeover anyway, and the forced-open run would prove nothing. A real table of
// 100k flows, or a sync link that comes up late, takes longer. So gw2's sync messages to gw1 are dropped (an
// nftables rule on gw2's output, UDP to conntrackd's port) from the moment gw1 loses power until HOLD_MS after
// its keepalived starts (gated run), or until gw1 has taken over (forced-open run): what fills gw1's cache
// arrives late in both runs, and only the gate decides whether gw1 waits for it.
import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import type {NodeStatus} from '../../src/app/status.js'
import type {GateState} from '../../src/core/failback/gate.js'
import type {StateFile} from '../../src/core/transition/types.js'
import * as core from '../../scripts/lab.js'
import {ADDR, type Lab, labSkipReason, NS, PORTS, sleep, withLab} from './lab.js'

/** Idle TCP connections the client opens through gw2 during the outage: flows gw1's cache lacks at return. */
const IDLE_FLOWS = 20
/** Gated run: how long gw2's sync to gw1 stays blocked after gw1's keepalived starts (> preempt_delay + 3 x advert_int). */
const HOLD_MS = 4000
/** Forced-open run: when gw1's status --json is read (before keepalived's preempt_delay ends). */
const SNAPSHOT_MS = 1500
/** The example's default keepalived.preempt_delay_ms (the lab does not set it). */
const PREEMPT_DELAY_MS = 2000
/** How long the streams are watched after gw1 took over. */
const WATCH_MS = 2000

type Probe = {udpRecv: number[]; tcpRecv: number[]; tcpError: string | null; tcpClosedAt: number | null; stoppedAt: number}

const now = () => performance.timeOrigin + performance.now()

/** A TCP stream survived when it saw no error or close, received after `since`, and still received in its last second. */
function stream(p: Probe, since: number): {survived: boolean; stallMs: number | null; why: string} {
  const after = p.tcpRecv.filter((x) => x >= since)
  const last = p.tcpRecv.at(-1) ?? 0
  let prev = p.tcpRecv.filter((x) => x < since).at(-1) ?? since
  let stall = 0
  for (const x of after) { stall = Math.max(stall, x - prev); prev = x }
  const survived = p.tcpError === null && p.tcpClosedAt === null && after.length > 0 && p.stoppedAt - last < 1000
  const why = p.tcpError ? `error ${p.tcpError}` : p.tcpClosedAt ? 'closed' : after.length === 0 ? 'nothing received after the takeover' : `silent for the last ${Math.round(p.stoppedAt - last)} ms`
  return {survived, stallMs: survived ? Math.round(stall) : null, why: survived ? 'ok' : why}
}

/** IDLE_FLOWS TCP connections from the client to the ISP-side echo host, held until stopped. */
async function idleFlows(): Promise<{child: ChildProcess; stop(): Promise<void>}> {
  const script = `const net=require('net');let n=0;const s=[];for(let i=0;i<${IDLE_FLOWS};i++){const c=net.connect(${PORTS.tcp},'${ADDR.remote}',()=>{if(++n===${IDLE_FLOWS})process.stdout.write('ready\\n')});c.on('error',()=>{});s.push(c)}process.stdin.on('end',()=>process.exit(0));process.stdin.resume()`
  const child = spawn('ip', ['netns', 'exec', NS.client, process.execPath, '-e', script], {stdio: ['pipe', 'pipe', 'inherit']})
  let out = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  const exited = new Promise((r) => child.once('exit', r))
  const stop = async () => {
    child.stdin!.end()
    await Promise.race([exited, sleep(2000)])
    if (child.exitCode === null) child.kill('SIGKILL')
  }
  const until = Date.now() + 10_000
  while (!out.includes('ready')) {
    if (Date.now() > until) { await stop(); throw new Error(`the client could not open ${IDLE_FLOWS} TCP connections through the MASTER`) }
    await sleep(20)
  }
  return {child, stop}
}

/** gw2's conntrackd sync messages to gw1 dropped, or let through again (returns how many were dropped). */
function syncToGw1(lab: Lab, blocked: boolean): number {
  if (!blocked) {
    const dropped = Number(/counter packets (\d+)/.exec(lab.exec('gw2', ['nft', 'list', 'table', 'inet', 'hat_failback_test']).stdout)?.[1] ?? NaN)
    lab.exec('gw2', ['nft', 'delete', 'table', 'inet', 'hat_failback_test'])
    return dropped
  }
  const port = /^\s*Port (\d+)/m.exec(readFileSync(lab.paths('gw2').conntrackdConf, 'utf8'))?.[1]
  assert.ok(port, 'the conntrackd example names its sync port')
  const nft = (...a: string[]) => { const r = lab.exec('gw2', ['nft', ...a]); assert.equal(r.code, 0, `nft ${a.join(' ')}: ${r.stderr}`) }
  nft('add', 'table', 'inet', 'hat_failback_test')
  nft('add', 'chain', 'inet', 'hat_failback_test', 'out', '{ type filter hook output priority 0; }')
  nft('add', 'rule', 'inet', 'hat_failback_test', 'out', 'ip', 'daddr', ADDR.sync.gw1, 'udp', 'dport', port, 'counter', 'drop')
  return 0
}

const readJson = <T>(file: string): T | undefined => { try { return JSON.parse(readFileSync(file, 'utf8')) as T } catch { return undefined } }

type Run = {
  forcedOpen: boolean
  /** gw2 holds VIP and WAN rule, ms after gw1 lost power */
  gw2TookOverMs: number
  /** gw1's status --json SNAPSHOT_MS after its keepalived started (its sync still blocked) */
  closed?: {gate: NodeStatus['failbackGate']; trackValue: number | null; atMs: number}
  /** the roles gw1's daemon had applied (state.json) while its gate was closed */
  rolesWhileClosed: string[]
  /** gate file when gw1 took over */
  gate?: GateState
  /** ms after gw1's keepalived started */
  gateOpenMs: number | null
  takeoverMs: number | null
  unblockedMs: number | null
  /** gw2's sync packets to gw1 the block dropped */
  dropped: number
  /** gw1 held the VIP while the gate was closed */
  vipWhileClosed: boolean
  commit?: {status: string; detail?: string}
  old: ReturnType<typeof stream>
  fresh: ReturnType<typeof stream>
}

/** One failback of gw1 with the gate (forcedOpen = false) or with it forced open. */
async function failback(lab: Lab, forcedOpen: boolean): Promise<Run> {
  const o = lab.options
  const gw1 = lab.paths('gw1')
  assert.equal((await lab.settle(300)).master, 'gw1', 'gw1 (priority 200) is MASTER before the run')
  // gw2 steady as BACKUP: its own gate open (a node leaving FAULT waits preempt_delay before it may become MASTER)
  await lab.waitFor('gw2\'s gate open for preempt_delay', () => {
    const g = readJson<GateState>(join(lab.paths('gw2').stateDir, 'failback-gate.json'))
    return g?.open && Date.now() - g.since > PREEMPT_DELAY_MS + 300
  }, 20_000, 100)
  const old = await lab.probe(10)
  let fresh: Awaited<ReturnType<Lab['probe']>> | undefined
  let idle: Awaited<ReturnType<typeof idleFlows>> | undefined
  let blocked = false
  let probesStopped = false
  try {
    await sleep(300) // conntrackd replicates the stream's flow to gw2
    const t0 = now()
    await lab.inflict('node', 'gw1')
    // At once, before gw2 sends anything about new flows: what it sends to the dead gw1 waits in gw2's ARP queue
    // and would reach gw1 the moment its sync link comes back (seen in the lab: 22 flows in the cache at boot).
    syncToGw1(lab, true)
    blocked = true
    await lab.waitFor('gw2 to take over', () => lab.view('gw2').master, 10_000, 10)
    const gw2TookOverMs = Math.round(now() - t0)
    // The outage: new flows through gw2 that gw1's cache cannot hold unless conntrackd resyncs it.
    fresh = await lab.probe(10)
    idle = await idleFlows()
    // gw1 boots: /run (state.dir) is empty after a power loss; networkd, conntrackd, sshd, dnsmasq first.
    for (const f of readdirSync(gw1.stateDir)) rmSync(join(gw1.stateDir, f), {recursive: true, force: true})
    await core.startGateway('gw1', o, {keepalived: false})
    if (forcedOpen) lab.start('gw1-hatd', 'gw1', [lab.bin(), 'daemon', '--config', gw1.config], {...core.gwEnv('gw1'), HA_TOOL_TEST_FAILBACK_GATE: 'open'})
    // the daemon (unless started above) and keepalived together, as systemd starts them (Before=keepalived.service)
    const tStart = now()
    await lab.startKeepalived('gw1')
    const ms = () => Math.round(now() - tStart)
    let closed: Run['closed']
    let takeoverMs: number | null = null
    let gateOpenMs: number | null = null
    let unblockedMs: number | null = null
    let dropped = 0
    const rolesWhileClosed = new Set<string>()
    let vipWhileClosed = false
    let gate: GateState | undefined
    for (;;) {
      const g = readJson<GateState>(join(gw1.stateDir, 'failback-gate.json'))
      if (g?.open && gateOpenMs === null) gateOpenMs = Math.round(g.since - tStart) // since: epoch ms, as tStart
      const v = lab.view('gw1')
      if (v.vip && takeoverMs === null) {
        takeoverMs = ms()
        gate = g
        if (!g?.open) vipWhileClosed = true
      }
      if (g && !g.open) rolesWhileClosed.add(readJson<StateFile>(join(gw1.stateDir, 'state.json'))?.role ?? 'none')
      // gated: once the gate has checked the flows (the first check takes a second or two over ssh)
      if (closed === undefined && (forcedOpen ? ms() >= SNAPSHOT_MS : (g?.checkedAt !== undefined && !g.open) || ms() >= HOLD_MS - 300)) {
        const s = JSON.parse(lab.haTool('gw1', ['status', '--json']).stdout) as NodeStatus
        closed = {gate: s.failbackGate, trackValue: s.health.available ? s.health.trackValue : null, atMs: ms()}
      }
      const release = forcedOpen ? takeoverMs !== null && ms() - takeoverMs >= 500 : ms() >= HOLD_MS
      if (blocked && (release || ms() > 15_000)) { dropped = syncToGw1(lab, false); blocked = false; unblockedMs = ms() }
      if (takeoverMs !== null && !blocked && ms() - takeoverMs >= WATCH_MS) break
      if (ms() > 30_000) break
      await sleep(50)
    }
    probesStopped = true
    const [po, pf] = [await old.stop() as Probe, await fresh.stop() as Probe]
    const since = takeoverMs === null ? now() : tStart + takeoverMs
    const commit = readJson<StateFile>(join(gw1.stateDir, 'state.json'))?.steps.find((s) => s.kind === 'conntrackd.commit')
    return {forcedOpen, gw2TookOverMs, closed, gate, gateOpenMs, takeoverMs, unblockedMs, dropped, vipWhileClosed, rolesWhileClosed: [...rolesWhileClosed], commit, old: stream(po, since), fresh: stream(pf, since)}
  } finally {
    if (blocked) syncToGw1(lab, false)
    await idle?.stop()
    if (!probesStopped) for (const p of [old, fresh]) await p?.stop().catch(() => undefined)
  }
}

function summary(r: Run): string {
  const c = r.closed
  return [
    `gate ${r.forcedOpen ? 'forced open' : 'on'}: gw2 took over ${r.gw2TookOverMs} ms after gw1 lost power`,
    c ? `at ${c.atMs} ms gw1's track_file ${c.trackValue}, gate ${c.gate.available ? `${c.gate.open ? 'open' : 'closed'}, ${c.gate.missing} of the MASTER's ${c.gate.masterFlows} flows missing` : 'unavailable'}; roles while closed: ${r.rolesWhileClosed.join(', ') || 'none'}` : undefined,
    `gate open at ${r.gateOpenMs} ms (${r.gate?.reason ?? '?'}), sync let through at ${r.unblockedMs} ms (${r.dropped} packets dropped), gw1 took over at ${r.takeoverMs} ms`,
    `commit ${r.commit ? `${r.commit.status} ${r.commit.detail ?? ''}` : 'none'}`,
    `stream from before the failover: ${r.old.survived ? `survived (stall ${r.old.stallMs} ms)` : `LOST (${r.old.why})`}; stream opened during the outage: ${r.fresh.survived ? `survived (stall ${r.fresh.stallMs} ms)` : `LOST (${r.fresh.why})`}`,
  ].filter(Boolean).join('; ')
}

test('failback with preemption: gw1 takes over only once its gate opened and the streams survive; with the gate forced open they are lost', {timeout: 240_000}, async (t) => {
  const skip = labSkipReason()
    ?? (existsSync('/usr/sbin/sshd') ? undefined : 'the failback gate reads the MASTER\'s flows over the peer port, which needs sshd (openssh-server: scripts/install-system-deps)')
    ?? (core.haToolHas('daemon') ? undefined : 'ha-tool is not built (npm run build)')
  if (skip) { t.skip(skip); return }
  // ispDhcpBroadcast: gw1 boots while gw2 streams with the shared WAN MAC, so a unicast DHCP reply would reach gw2
  await withLab({mode: 'fifo', conntrackd: true, tcpLoose: 0, peer: true, preempt: true, ispDhcpBroadcast: true}, async (lab) => {
    const conf = readFileSync(lab.paths('gw1').keepalivedConf, 'utf8')
    assert.match(conf, /^\s*preempt_delay \d/m, 'the shipped example with keepalived.preempt')
    assert.doesNotMatch(conf, /^\s*nopreempt$/m)
    assert.equal(lab.exec('gw1', ['sysctl', '-n', 'net.netfilter.nf_conntrack_tcp_loose']).stdout.trim(), '0')

    await t.test('with the gate: gw1 stays in FAULT until it holds the MASTER\'s flows, then takes over; both streams survive', async (t) => {
      const r = await failback(lab, false)
      t.diagnostic(summary(r))
      const c = r.closed
      assert.ok(c?.gate.available, `status --json shows the gate: ${JSON.stringify(c)}`)
      assert.equal(c.gate.open, false, `the gate is closed while gw1 lacks the flows: ${summary(r)}`)
      assert.ok((c.gate.missing ?? 0) >= IDLE_FLOWS, `at least the ${IDLE_FLOWS} idle flows are missing: ${summary(r)}`)
      assert.equal(c.trackValue, 3, 'track_file 3: keepalived holds gw1 in FAULT')
      assert.ok(r.rolesWhileClosed.includes('FAULT') && !r.rolesWhileClosed.includes('MASTER'), `keepalived put gw1 in FAULT, never MASTER, while the gate was closed: ${summary(r)}`)
      assert.equal(r.vipWhileClosed, false, `gw1 never held the VIP while its gate was closed: ${summary(r)}`)
      assert.ok(r.gateOpenMs !== null && r.takeoverMs !== null, `the gate opened and gw1 took over: ${summary(r)}`)
      assert.ok(r.gateOpenMs >= HOLD_MS, `the gate opened only after the flows could arrive: ${summary(r)}`)
      assert.match(r.gate?.reason ?? '', /^in sync: /, 'opened because the flows are here (not the timeout, not an unreachable peer)')
      assert.ok(r.takeoverMs >= r.gateOpenMs, `gw1 took over after its gate opened: ${summary(r)}`)
      assert.match(r.commit?.detail ?? '', /^committed [1-9]\d* entries/, `gw1 committed the flows when it took over: ${JSON.stringify(r.commit)}`)
      assert.equal(r.fresh.survived, true, `the stream opened during the outage survives the failback: ${summary(r)}`)
      assert.equal(r.old.survived, true, `the stream from before the failover survives the failback: ${summary(r)}`)
    })

    await t.test('with the gate forced open (HA_TOOL_TEST_FAILBACK_GATE=open): gw1 takes over without the flows and the streams are lost', async (t) => {
      const r = await failback(lab, true)
      t.diagnostic(summary(r))
      assert.match(r.gate?.reason ?? '', /^forced open/, 'the returning daemon ran with the test flag')
      assert.ok(r.takeoverMs !== null, `gw1 preempted: ${summary(r)}`)
      assert.ok(r.unblockedMs !== null && r.takeoverMs < r.unblockedMs, `inconclusive: gw1 must take over while its cache still lacks the flows: ${summary(r)}`)
      assert.match(r.commit?.detail ?? '', /^committed [0-4] entries/, `gw1 committed (almost) none of the ${IDLE_FLOWS + 4} flows: ${JSON.stringify(r.commit)}`)
      assert.equal(r.fresh.survived, false, `without the gate the stream opened during the outage must be lost (else the test above proves nothing): ${summary(r)}`)
    })
  })
})
