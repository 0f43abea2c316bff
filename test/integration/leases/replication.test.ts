// Lease replication through the daemon's one held ssh channel, over a REAL OpenSSH between two
// namespaces: 200 lease events driven the way dnsmasq runs its script (`leases hook add`, one
// process per event), every lease on the peer within 5 s of the last event; then the daemon and
// the ssh channel killed mid-burst: nothing lost once the daemon is back.
import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {BIN, type GwNode, LeasePair} from './pair.js'

const now = () => Math.floor(Date.now() / 1000)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : !existsSync('/usr/sbin/sshd') ? 'sshd (openssh-server) is not installed' : undefined
if (skip) console.warn(`# SKIPPED lease replication tests: ${skip}`)

describe('lease replication through the daemon\'s held ssh channel', {skip, concurrency: false}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-tool-h6-rep-'))
  const lab = new LeasePair(dir, `r${process.pid % 10000}`)
  const {a, b} = lab
  let daemon: ChildProcess | undefined
  let daemonLog = ''

  const env = () => {
    const e = {...process.env}
    delete e.NODE_EXTRA_CA_CERTS
    return e
  }
  /** `ha-tool daemon` without a FIFO: only the resident services the config enables (lease replication here). */
  const startDaemon = async (n: GwNode) => {
    // The mechanism switched off, to see these tests fail: no daemon, so each hook run pushes by itself.
    if (process.env.HAT_LEASES_NO_DAEMON) return
    const child = spawn('ip', ['netns', 'exec', n.ns, process.execPath, BIN, 'daemon', '--config', n.toml, '--log-level', 'debug'], {stdio: ['ignore', 'ignore', 'pipe'], env: env()})
    child.stderr!.on('data', (d: Buffer) => { daemonLog += d.toString() })
    lab.track(child)
    daemon = child
    // `ip netns exec` execs the daemon: the pid file names this child once its replicator runs
    // (a killed daemon's file stays behind until then).
    const pidFile = join(n.dir, 'state', 'lease-replicator.pid')
    const announced = () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() === String(child.pid)
    for (let i = 0; i < 400 && !announced(); i++) await sleep(25)
    assert.ok(announced(), `the daemon's replicator announced itself: ${daemonLog}`)
  }
  /** One hook run as dnsmasq makes it; resolves with how long it took. */
  const hook = (n: GwNode, i: number, exp: number) => new Promise<number>((resolve, reject) => {
    const t0 = Date.now()
    const c = spawn('ip', ['netns', 'exec', n.ns, process.execPath, BIN, 'leases', 'hook', '--config', n.toml, 'add', mac(i), ip(i), `host-${i}`],
      {stdio: ['ignore', 'ignore', 'pipe'], env: {...env(), DNSMASQ_LEASE_EXPIRES: String(exp)}})
    let err = ''
    c.stderr!.on('data', (d: Buffer) => { err += d.toString() })
    c.on('exit', (code) => (code === 0 ? resolve(Date.now() - t0) : reject(new Error(`hook ${i}: exit ${code}: ${err}`))))
  })
  const mac = (i: number) => `52:54:00:10:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`
  const ip = (i: number) => `192.168.${60 + (i >> 8)}.${i & 255}`
  /** Drives events from..to-1 with `parallel` hook runs at a time (dnsmasq runs one at a time; the machine is slow to start node). */
  const burst = async (from: number, to: number, exp: number, parallel: number, during?: (done: number) => Promise<void> | void) => {
    let next = from
    let done = 0
    const worker = async () => {
      while (next < to) {
        const i = next++
        await hook(a, i, exp)
        done++
        await during?.(done)
      }
    }
    await Promise.all(Array.from({length: parallel}, worker))
  }
  const onPeer = (from: number, to: number): number[] => {
    const text = existsSync(b.leases) ? readFileSync(b.leases, 'latin1') : ''
    const missing: number[] = []
    for (let i = from; i < to; i++) if (!text.includes(` ${mac(i)} ${ip(i)} `)) missing.push(i)
    return missing
  }
  const waitOnPeer = async (from: number, to: number, ms: number) => {
    const t0 = Date.now()
    let missing = onPeer(from, to)
    while (missing.length && Date.now() - t0 < ms) {
      await sleep(50)
      missing = onPeer(from, to)
    }
    return {missing, ms: Date.now() - t0}
  }

  before(async () => {
    lab.setup()
    for (const n of [a, b]) lab.writeConfig(n, ['queue_max = 5000'])
    await lab.startSshd(a)
    await lab.startSshd(b)
  })
  after(async () => {
    await lab.stop()
    if (!process.env.HAT_KEEP) rmSync(dir, {recursive: true, force: true})
  })

  test('200 lease events in a burst, 4 at a time: each hook returns at once, every lease is on the peer within 5 s of the last one', async () => {
    await startDaemon(a)
    const exp = now() + 3600
    const t0 = Date.now()
    await burst(0, 200, exp, 4)
    const burstMs = Date.now() - t0
    const {missing, ms} = await waitOnPeer(0, 200, 5000)
    console.log(`# 200 hook runs in ${burstMs} ms; all on the peer ${ms} ms after the last`)
    assert.deepEqual(missing, [], `not on the peer 5 s after the last event: ${missing.length}`)
    // 200 Node starts, 4 at a time, took 10.5-11.7 s on 2 shared cores; a hook that pushed over ssh itself took 49 s
    // (HAT_LEASES_NO_DAEMON). The bound separates the two without timing the machine's load.
    assert.ok(burstMs <= 25_000, `the 200 hook runs took ${burstMs} ms: the hook must only queue`)
    // One ssh connection carried them: the daemon's master, still the same process.
    assert.match(daemonLog, /lease changes replicated/)
  })

  /**
   * The peer's side of the sync link, for the daemon's ssh: `drop` stalls a push in flight (its
   * bytes sit in a's TCP buffers); `reset` answers every packet with a TCP reset, so bytes of a
   * killed process's connection never reach the peer later (as they did after a link down and
   * up: TCP delivered the dead daemon's push, and the test passed without the queue); `open`.
   */
  const peerLink = (mode: 'drop' | 'reset' | 'open') => {
    lab.inNs(b.ns, ['nft', 'delete', 'table', 'inet', 'hat_block'], false)
    if (mode === 'open') return
    const verdict = mode === 'drop' ? 'drop' : 'reject with tcp reset'
    lab.inNs(b.ns, ['nft', '-f', '-'], true, `table inet hat_block {\n chain input {\n  type filter hook input priority -10\n  ip saddr ${a.addr} tcp dport 22 ${verdict}\n }\n}\n`)
  }
  /** The daemon's ssh processes (its ControlMaster and any push through it): their command lines name the control socket. */
  const channelPids = async (): Promise<number[]> => {
    const ps = spawn('pgrep', ['-f', `ControlPath=${join(a.dir, 'state', 'lease-ssh.ctl')}`])
    let out = ''
    ps.stdout.on('data', (d: Buffer) => { out += d.toString() })
    await new Promise((r) => ps.on('exit', r))
    return out.split('\n').filter(Boolean).map(Number)
  }
  const range = (from: number, to: number) => Array.from({length: to - from}, (_, k) => from + k)

  // Deterministic: every change of a phase is made while the peer cannot get it by any path, and
  // the test checks it is not there before the peer is reachable again; so what arrives after
  // came from the persisted queue. HA_TOOL_TEST_LEASE_QUEUE=let-go-early or forget-on-start (the
  // queue switched off, src/wiring/leases.ts) makes it fail.
  test('the daemon killed, then the ssh channel killed, mid-burst: nothing lost once the daemon is back', async () => {
    const exp = now() + 3600
    assert.deepEqual(onPeer(0, 200), [], 'the first test left its leases on the peer')
    try {
      // 1. A push in flight when the daemon dies (SIGKILL; its ssh processes die with it, as
      // systemd stops a crashed unit's cgroup), more changes while it is down, back with the
      // peer still unreachable: it must send everything queued before it was killed.
      peerLink('drop')
      await burst(200, 240, exp, 4)
      await sleep(300)
      if (!process.env.HAT_LEASES_NO_DAEMON) assert.ok(daemon && daemon.exitCode === null, `the daemon runs: ${daemonLog}`)
      daemon?.kill('SIGKILL')
      for (const pid of await channelPids()) try { process.kill(pid, 'SIGKILL') } catch { /* gone */ }
      peerLink('reset')
      await burst(240, 280, exp, 4) // no daemon: each hook tries the peer itself, fails, queues
      await startDaemon(a)
      await sleep(1000)
      assert.deepEqual(onPeer(200, 280), range(200, 280), 'a change reached the peer while it was cut off')
      peerLink('open')
      const one = await waitOnPeer(200, 280, 15_000)
      console.log(`# daemon killed mid-push: all 80 on the peer ${one.ms} ms after the link opened`)
      assert.deepEqual(one.missing, [], `lost after the daemon was killed: ${one.missing.join(' ')}`)

      // 2. The held channel killed with a push in flight: the daemon opens a new one and resends.
      peerLink('drop')
      await burst(280, 320, exp, 4)
      await sleep(300)
      const pids = await channelPids()
      if (!process.env.HAT_LEASES_NO_DAEMON) assert.ok(pids.length >= 1, 'the held channel was found')
      for (const pid of pids) try { process.kill(pid, 'SIGKILL') } catch { /* gone */ }
      peerLink('reset')
      await burst(320, 360, exp, 4)
      await sleep(1000)
      assert.deepEqual(onPeer(280, 360), range(280, 360), 'a change reached the peer while it was cut off')
      peerLink('open')
      const two = await waitOnPeer(280, 360, 15_000)
      console.log(`# channel killed mid-push: all 80 on the peer ${two.ms} ms after the link opened`)
      assert.deepEqual(two.missing, [], `lost after the channel was killed: ${two.missing.join(' ')}`)
      assert.deepEqual(onPeer(0, 200), [], 'the first burst is still there')
    } finally {
      peerLink('open')
    }
  })
})
