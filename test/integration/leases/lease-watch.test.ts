// The daemon's lease-file watch against a REAL dnsmasq handing out leases to real DHCP clients
// (dhcp-burst.mjs in a client namespace), with the dnsmasq-script wrapper as its --dhcp-script (what
// `config example dnsmasq-script` prints for this node's config: its state.dir is not the default, and the
// shipped file is that example for the defaults, test/unit/examples/dnsmasq-script.test.ts) and
// a real OpenSSH to the peer: every lease reaches the peer's file without one `leases hook`
// process per lease; a daemon that dies after the script handed a change over loses nothing
// (the restart compares the file with its saved snapshot).
import assert from 'node:assert/strict'
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {BIN, type GwNode, LeasePair, ROOT} from './pair.js'
import {leasesByMac as leasesIn} from '../../support/lease-file.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces'
  : !existsSync('/usr/sbin/sshd') ? 'sshd (openssh-server) is not installed'
    : spawnSync('dnsmasq', ['--version']).status !== 0 ? 'dnsmasq is not installed' : undefined
if (skip) console.warn(`# SKIPPED lease-file watch tests: ${skip}`)

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [])

describe('lease-file watch with a real dnsmasq and the generated dnsmasq-script (state.dir not the default)', {skip, concurrency: false}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-tool-lwatch-'))
  // The wrapper generated for this node's config; it logs each call, and the ha-tool it runs (doctor.binary) each hook.
  const wrapper = (n: GwNode) => join(n.dir, 'dnsmasq-script')
  const calls = (n: GwNode) => join(n.dir, 'wrapper.log')
  const hooks = (n: GwNode) => join(n.dir, 'hooks.log')
  const haTool = (n: GwNode) => join(n.dir, 'ha-tool')
  const lab = new LeasePair(dir, `w${process.pid % 10000}`, {lan: true, dnsmasqArgs: (n) => [`--dhcp-script=${wrapper(n)}`], extra: (n) => ['[doctor]', `binary = ${JSON.stringify(haTool(n))}`]})
  const {a, b} = lab
  let daemon: ChildProcess | undefined
  let daemonLog = ''
  let macBase = 0

  const startDaemon = async () => {
    const env = {...process.env}
    delete env.NODE_EXTRA_CA_CERTS
    const child = spawn('ip', ['netns', 'exec', a.ns, process.execPath, BIN, 'daemon', '--config', a.toml, '--log-level', 'debug'], {stdio: ['ignore', 'ignore', 'pipe'], env})
    child.stderr!.on('data', (d: Buffer) => { daemonLog += d.toString() })
    lab.track(child)
    daemon = child
    const pidFile = join(a.dir, 'state', 'lease-watch.pid')
    const announced = () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() === String(child.pid)
    for (let i = 0; i < 400 && !announced(); i++) await sleep(25)
    assert.ok(announced(), `the daemon's lease watch announced itself: ${daemonLog.slice(-2000)}`)
  }
  /** COUNT real DHCP clients (new MACs each call) against a's dnsmasq, spread over SPREAD ms. */
  const burst = (count: number, spreadMs: number) => {
    const r = spawnSync('ip', ['netns', 'exec', lab.client, process.execPath, join(ROOT, 'test/e2e/leases/dhcp-burst.mjs'), String(count), String(spreadMs), a.lanAddr, String(macBase)], {encoding: 'utf8', timeout: 60_000})
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout) as {clients: Array<{mac: string; ip: string}>; failed: unknown[]; lastAckAt: number}
    assert.deepEqual(out.failed, [])
    macBase += count
    return out
  }
  const waitOnPeer = async (clients: Array<{mac: string; ip: string}>, ms: number) => {
    const t0 = Date.now()
    let left = clients
    while (Date.now() - t0 < ms) {
      const there = leasesIn(b.leases)
      left = clients.filter((c) => there.get(c.mac) !== c.ip)
      if (left.length === 0) break
      await sleep(50)
    }
    return left
  }

  before(async () => {
    lab.setup()
    for (const n of [a, b]) {
      writeFileSync(haTool(n), `#!/bin/sh\necho "$*" >> ${hooks(n)}\nexec ${process.execPath} ${BIN} "$@"\n`, {mode: 0o755})
      const r = lab.ha(n, ['config', 'example', 'dnsmasq-script'])
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, new RegExp(`^state_dir=${join(n.dir, 'state')}$`, 'm'))
      assert.match(r.stdout, new RegExp(`^exec ${haTool(n)} leases hook --config ${n.toml} "\\$@"$`, 'm'))
      writeFileSync(wrapper(n), r.stdout.replace(/^#!\/bin\/sh\n/, `#!/bin/sh\necho "$1 $2 $3" >> ${calls(n)}\n`), {mode: 0o755})
    }
    // The burst client has no address: its broadcasts need a route out of eth0.
    lab.inNs(lab.client, ['ip', 'route', 'add', '255.255.255.255/32', 'dev', 'eth0'])
    await lab.startSshd(b)
    lab.startDnsmasq(a)
    await startDaemon()
  })

  after(async () => {
    await lab.stop()
  })

  test('every lease of a burst reaches the peer, none through a `leases hook` process', async () => {
    // The first lease: the wrapper leaves its mark, and the watch starts replicating.
    const first = burst(1, 0)
    assert.deepEqual(await waitOnPeer(first.clients, 5000), [], `the first lease on the peer: ${daemonLog.slice(-2000)}`)
    const before = lines(calls(a)).length
    const r = burst(40, 2000)
    const left = await waitOnPeer(r.clients, 3000)
    assert.deepEqual(left.map((c) => c.mac), [], `on the peer within 3 s of the last ACK: ${daemonLog.slice(-2000)}`)
    assert.ok(lines(calls(a)).length >= before + 40, 'dnsmasq ran its script for each lease')
    assert.deepEqual(lines(hooks(a)), [], 'no `leases hook` process ran on a')
    // b's file was written by `leases receive` (b's dnsmasq is stopped): nothing came back to a's queue.
    assert.equal(Number(JSON.parse(lab.ha(a, ['status', '--json']).stdout).leases?.replication?.queue?.pending ?? 0), 0)
  })

  test('a daemon that dies after the script handed changes over: the restart sends them', async () => {
    // Frozen, the daemon's pid stays alive: the wrapper exits at once and the watch reads nothing.
    process.kill(daemon!.pid!, 'SIGSTOP')
    const r = burst(10, 500)
    await sleep(1000)
    assert.equal(r.clients.filter((c) => leasesIn(b.leases).get(c.mac) === c.ip).length, 0, 'not on the peer while the daemon is frozen')
    assert.deepEqual(lines(hooks(a)), [], 'and no hook ran')
    process.kill(daemon!.pid!, 'SIGKILL')
    await new Promise((res) => (daemon!.exitCode !== null || daemon!.signalCode !== null ? res(undefined) : daemon!.once('exit', res)))
    await startDaemon()
    assert.deepEqual((await waitOnPeer(r.clients, 5000)).map((c) => c.mac), [], `on the peer after the restart: ${daemonLog.slice(-2000)}`)
  })
})
