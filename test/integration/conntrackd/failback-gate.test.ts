// The failback gate for real: two conntrackd in namespaces, sshd with the forced-command key on
// each, and `ha-tool daemon` on the returning node A. B is MASTER and holds the flows. While A's
// sync input is blocked, A's gate stays closed (track_file 3, status says how many flows are
// missing); once the MASTER's flows arrive in A's external cache it opens (track_file 0). Also:
// the timeout opens it with an error, an unreachable or non-MASTER peer opens it at once, and the
// test flag forces it open.
import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {BIN, ensureBuilt, hasProgram} from '../../support/spawn.js'
import {ConntrackdPair, inNs, type Node, waitFor} from './pair.js'

const missing = ['ip', 'conntrackd', 'conntrack', 'nft', '/usr/sbin/sshd'].filter((p) => !hasProgram(p))
const skip = process.getuid?.() !== 0 ? 'needs root (network namespaces, conntrack tables)'
  : missing.length > 0 ? `missing programs: ${missing.join(', ')} (scripts/install-system-deps)` : undefined
if (skip) console.error(`# SKIPPING failback gate integration tests: ${skip}`)

const FLOWS = 20
type Gate = {available: boolean; open?: boolean; reason?: string; missing?: number | null; masterFlows?: number | null; timedOut?: boolean}

describe('failback gate with real conntrackd, sshd and ha-tool daemon', {skip}, () => {
  const dir = join(tmpdir(), `hat-h7-gate-${process.pid}`)
  const pair = new ConntrackdPair(dir)
  let daemon: ChildProcess | undefined
  let daemonLog = ''

  const state = (n: Node, role: string) => writeFileSync(`${n.stateDir}/state.json`, JSON.stringify({version: 1, role, source: 'notify', instance: 'VI_1', startedAt: 0, finishedAt: 0, exit: 0, steps: [], history: []}))
  const status = (n: Node) => JSON.parse(inNs(n, [process.execPath, BIN, 'status', '--json', '--config', n.toml], false).stdout) as {failbackGate: Gate; health: {trackValue: number | null}}
  const gate = (n: Node) => status(n).failbackGate
  const track = (n: Node) => readFileSync(`${n.stateDir}/track`, 'utf8').trim()
  const external = (n: Node) => inNs(n, ['conntrackd', '-C', n.conf, '-e']).stdout.split('\n').filter((l) => l.includes('dport=443')).length
  const block = (n: Node, what: 'sync' | 'ssh') => {
    inNs(n, ['nft', 'add', 'table', 'inet', 'hat_gate'])
    inNs(n, ['nft', 'add', 'chain', 'inet', 'hat_gate', 'in', '{ type filter hook input priority 0; }'], false)
    inNs(n, ['nft', 'add', 'chain', 'inet', 'hat_gate', 'out', '{ type filter hook output priority 0; }'], false)
    if (what === 'sync') inNs(n, ['nft', 'add', 'rule', 'inet', 'hat_gate', 'in', 'udp', 'dport', '3780', 'drop'])
    else inNs(n, ['nft', 'add', 'rule', 'inet', 'hat_gate', 'out', 'tcp', 'dport', '2222', 'reject', 'with', 'tcp', 'reset'])
  }
  const unblock = (n: Node) => inNs(n, ['nft', 'delete', 'table', 'inet', 'hat_gate'], false)

  /** A comes back: conntrackd restarted empty, kernel table flushed, no state file. */
  const returning = async (timeoutMs = 60_000) => {
    pair.kill(pair.a, 'KILL')
    assert.ok(await waitFor(() => pair.pids(pair.a).length === 0, 3000))
    inNs(pair.a, ['conntrack', '-F'], false)
    rmSync(join(pair.a.dir, 'lock'), {force: true})
    rmSync(pair.a.socket, {force: true})
    rmSync(`${pair.a.stateDir}/state.json`, {force: true})
    rmSync(`${pair.a.stateDir}/track`, {force: true})
    pair.start(pair.a)
    assert.ok(await waitFor(() => inNs(pair.a, ['conntrackd', '-C', pair.a.conf, '-s'], false).code === 0, 5000))
    assert.equal(external(pair.a), 0)
    writeFileSync(pair.a.toml, readFileSync(pair.a.toml, 'utf8').replace(/^failback_timeout_ms = \d+\n/m, '').replace(/^verify_timeout_ms = 3000$/m, `verify_timeout_ms = 3000\nfailback_timeout_ms = ${timeoutMs}`))
  }
  const startDaemon = (env: NodeJS.ProcessEnv = {}) => {
    daemonLog = ''
    const e = {...process.env, ...env}
    delete e.NODE_EXTRA_CA_CERTS
    daemon = spawn('ip', ['netns', 'exec', pair.a.ns, process.execPath, BIN, 'daemon', '--config', pair.a.toml], {stdio: ['ignore', 'ignore', 'pipe'], env: e})
    daemon.stderr!.on('data', (d: Buffer) => { daemonLog += d.toString() })
  }
  const stopDaemon = async () => {
    if (!daemon || daemon.exitCode !== null) return
    const done = new Promise((r) => daemon!.once('exit', r))
    daemon.kill('SIGTERM')
    await Promise.race([done, new Promise((r) => setTimeout(r, 5000))])
    if (daemon.exitCode === null) daemon.kill('SIGKILL')
  }

  before(async () => {
    ensureBuilt()
    mkdirSync(dir)
    chmodSync(dir, 0o755)
    pair.setup()
    writeFileSync(pair.a.toml, `${readFileSync(pair.a.toml, 'utf8')}[keepalived]\ndbus = false\nfifo = ""\nwatchdog = false\n[log]\nlevel = "info"\n`)
    await pair.startSsh()
    pair.start(pair.a)
    pair.start(pair.b)
    for (const n of [pair.a, pair.b]) assert.ok(await waitFor(() => inNs(n, ['conntrackd', '-C', n.conf, '-s'], false).code === 0, 5000))
    state(pair.b, 'MASTER')
    for (let i = 0; i < FLOWS; i++) pair.insertFlow(pair.b, i)
    assert.ok(await waitFor(() => inNs(pair.b, ['conntrackd', '-C', pair.b.conf, '-i']).stdout.split('\n').filter((l) => l.includes('dport=443')).length === FLOWS, 5000), 'B\'s internal cache holds its flows')
  })
  after(async () => {
    await stopDaemon()
    try { await pair.stop() } finally { rmSync(dir, {recursive: true, force: true}) }
  })

  test('closed while the MASTER\'s flows are missing (track_file 3), open once they arrived (track_file 0)', async () => {
    await returning()
    block(pair.a, 'sync')
    try {
      startDaemon()
      assert.ok(await waitFor(() => { const g = gate(pair.a); return g.available && g.open === false && g.missing === FLOWS }, 15_000, 200), `gate: ${JSON.stringify(gate(pair.a))}\n${daemonLog}`)
      assert.equal(track(pair.a), '3')
      assert.equal(gate(pair.a).masterFlows, FLOWS, 'only the replicated flows count (not the ssh session of the check itself)')
      await new Promise((r) => setTimeout(r, 1500))
      assert.equal(gate(pair.a).open, false, 'still closed: nothing arrived')
    } finally {
      unblock(pair.a)
    }
    // The gate asks for the resync again (every 5 s) and sees the flows arrive.
    assert.ok(await waitFor(() => gate(pair.a).open === true, 15_000, 200), `gate: ${JSON.stringify(gate(pair.a))}\n${daemonLog}`)
    assert.match(gate(pair.a).reason!, new RegExp(`^in sync: ${FLOWS} of the MASTER's ${FLOWS} flows are here`))
    assert.equal(track(pair.a), '0')
    assert.equal(external(pair.a), FLOWS)
    await stopDaemon()
  })

  test('the timeout opens it anyway, logged as an error with the flows still missing', async () => {
    await returning(2500)
    block(pair.a, 'sync')
    try {
      startDaemon()
      assert.ok(await waitFor(() => gate(pair.a).open === true, 15_000, 200), daemonLog)
      const g = gate(pair.a)
      assert.equal(g.timedOut, true)
      const loud = new RegExp(`"level":50.*failback_timeout_ms \\(2500 ms\\) expired with ${FLOWS} of the MASTER's ${FLOWS} flows missing`)
      assert.ok(await waitFor(() => loud.test(daemonLog), 3000), daemonLog)
      assert.equal(track(pair.a), '0')
    } finally {
      unblock(pair.a)
      await stopDaemon()
    }
  })

  test('no other MASTER: an unreachable peer, or a peer that is BACKUP, opens it at once', async () => {
    await returning()
    block(pair.a, 'ssh')
    try {
      block(pair.a, 'sync')
      startDaemon()
      assert.ok(await waitFor(() => gate(pair.a).open === true, 10_000, 100), daemonLog)
      assert.match(gate(pair.a).reason!, /^no other MASTER: the peer is unreachable/)
    } finally {
      unblock(pair.a)
      await stopDaemon()
    }
    await returning()
    state(pair.b, 'BACKUP')
    block(pair.a, 'sync')
    try {
      startDaemon()
      assert.ok(await waitFor(() => gate(pair.a).open === true, 10_000, 100), daemonLog)
      assert.equal(gate(pair.a).reason, 'no other MASTER: the peer is BACKUP')
    } finally {
      unblock(pair.a)
      state(pair.b, 'MASTER')
      await stopDaemon()
    }
  })

  test('the test flag forces it open: the node is not held back', async () => {
    await returning()
    block(pair.a, 'sync')
    try {
      startDaemon({HA_TOOL_TEST_FAILBACK_GATE: 'open'})
      assert.ok(await waitFor(() => { const g = gate(pair.a); return g.available && g.open === true }, 10_000, 100), daemonLog)
      assert.match(gate(pair.a).reason!, /^forced open/)
      assert.equal(track(pair.a), '0')
      assert.equal(external(pair.a), 0, 'and it holds none of the MASTER\'s flows')
    } finally {
      unblock(pair.a)
      await stopDaemon()
    }
  })
})
