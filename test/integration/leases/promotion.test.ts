// A promotion's lease steps through `ha-tool notify master`, against a REAL OpenSSH peer and a REAL dnsmasq
// (with --enable-dbus on a private bus): the peer's leases are merged before dnsmasq starts when the peer answers
// within dnsmasq.pull_wait_ms; a slow peer (sshd runs every command after a 2 s sleep) or a dead one (its sshd's
// packets dropped: ssh waits out ConnectTimeout) does not keep dnsmasq down past the wait, and a slow peer's
// leases still reach the running dnsmasq over D-Bus, without a restart.
import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {BIN, LeasePair, type Run, sh} from './pair.js'

const now = () => Math.floor(Date.now() / 1000)
const line = (exp: number, mac: string, ip: string, host = '*') => `${exp} ${mac} ${ip} ${host} *\n`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const WAIT_MS = 500

type Step = {kind: string; status: string; detail?: string; error?: string; durationMs: number}
type Promotion = {run: Run; steps: Step[]; dnsmasqAfterMs?: number; exitedAfterMs: number}

describe('promotion: the peer\'s leases, and dnsmasq within pull_wait_ms', {concurrency: false}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-tool-h6-promote-'))
  const socket = join(dir, 'bus.sock')
  const address = `unix:path=${socket}`
  const lab = new LeasePair(dir, `p${process.pid % 10000}`, {
    lan: true,
    dnsmasqArgs: () => ['--enable-dbus'],
    dnsmasqEnv: {DBUS_SYSTEM_BUS_ADDRESS: address},
    // notify needs a WAN (a veth here) and no keepalived on D-Bus; the rest of its plan is the rule and the silence.
    extra: () => [`dbus_address = ${JSON.stringify(address)}`, `pull_wait_ms = ${WAIT_MS}`, '[peer]', 'connect_timeout_ms = 3000', '[keepalived]', 'dbus = false'],
  })
  const {a, b} = lab
  let sshdB: ChildProcess

  /** `notify backup` then `notify master` on a, watching when dnsmasq's pid appears while master runs. */
  async function promote(): Promise<Promotion> {
    const back = lab.ha(a, ['notify', 'backup'])
    assert.equal(back.code, 0, back.stderr)
    assert.equal(lab.dnsmasqPid(a), undefined, 'BACKUP stopped dnsmasq (stop_on_backup)')
    const env = {...process.env}
    delete env.NODE_EXTRA_CA_CERTS
    const t0 = Date.now()
    const child = spawn('ip', ['netns', 'exec', a.ns, process.execPath, BIN, 'notify', '--json', 'master', '--config', a.toml], {env})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d })
    child.stderr.on('data', (d: Buffer) => { stderr += d })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    let dnsmasqAfterMs: number | undefined
    let code: number | null | undefined
    void exited.then((c) => { code = c })
    while (code === undefined) {
      if (dnsmasqAfterMs === undefined && lab.dnsmasqPid(a) !== undefined) dnsmasqAfterMs = Date.now() - t0
      await sleep(10)
    }
    const exitedAfterMs = Date.now() - t0
    dnsmasqAfterMs ??= lab.dnsmasqPid(a) === undefined ? undefined : exitedAfterMs
    const steps = (JSON.parse(stdout) as {steps: Step[]}).steps
    return {run: {code, stdout, stderr}, steps, dnsmasqAfterMs, exitedAfterMs}
  }
  const step = (p: Promotion, kind: string) => p.steps.find((s) => s.kind === kind)

  before(async () => {
    lab.setup()
    // a WAN for notify's rule and silence (a veth whose far end stays in the namespace: no dummy driver needed)
    lab.inNs(a.ns, ['ip', 'link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 'isp0'])
    for (const dev of ['wan0', 'isp0']) lab.inNs(a.ns, ['ip', 'link', 'set', dev, 'up'])
    // MASTER waits for the WAN's address and its default route in wan.table (250) before it opens the WAN
    lab.inNs(a.ns, ['ip', 'addr', 'add', '198.51.100.10/24', 'dev', 'wan0'])
    lab.inNs(a.ns, ['ip', 'route', 'add', 'default', 'via', '198.51.100.1', 'dev', 'wan0', 'table', '250', 'onlink'])
    writeFileSync(join(dir, 'bus.conf'), readFileSync(new URL('../../../scripts/lab-tools/private-bus.conf', import.meta.url), 'utf8').replace('@SOCKET@', socket))
    lab.track(spawn('dbus-daemon', [`--config-file=${join(dir, 'bus.conf')}`, '--nofork', '--nopidfile'], {stdio: 'ignore'}))
    for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(20)
    assert.ok(existsSync(socket), 'dbus-daemon did not come up')
    sshdB = await lab.startSshd(b)
  })
  after(async () => {
    await lab.stop()
    rmSync(dir, {recursive: true, force: true})
  })

  test('a peer that answers in time: its leases are in the file before dnsmasq starts, which reads them', async () => {
    writeFileSync(a.leases, line(now() + 600, '52:54:00:00:00:0a', '192.168.60.150', 'a'))
    writeFileSync(b.leases, line(now() + 900, '52:54:00:00:00:0b', '192.168.60.160', 'b'))
    const p = await promote()
    assert.equal(p.run.code, 0, p.run.stderr)
    assert.match(step(p, 'leases.pull')?.detail ?? '', /^1 peer leases: 1 added, 0 updated \(file\)$/)
    assert.match(step(p, 'dnsmasq.start')?.detail ?? '', /^started \(pid \d+\)$/)
    assert.match(readFileSync(a.leases, 'latin1'), /52:54:00:00:00:0b 192\.168\.60\.160 b/)
  })

  test('a slow peer (2 s per command): dnsmasq starts after pull_wait_ms, and the peer\'s lease reaches it over D-Bus later, without a restart', async () => {
    // Every command on b's sshd now sleeps 2 s first: the connection is quick, the answer is late.
    await lab.kill(sshdB)
    appendFileSync(join(b.dir, 'sshd_config'), 'ForceCommand sleep 2; eval "$SSH_ORIGINAL_COMMAND"\n')
    sshdB = await lab.startSshd(b)
    writeFileSync(a.leases, line(now() + 600, '52:54:00:00:00:0a', '192.168.60.150', 'a'))
    const exp = now() + 900
    writeFileSync(b.leases, line(exp, '52:54:00:00:00:0c', '192.168.60.170', 'c'))
    const p = await promote()
    assert.equal(p.run.code, 0, p.run.stderr)
    const pull = step(p, 'leases.pull')!
    assert.match(pull.detail ?? '', new RegExp(`^1 peer leases: 1 added, 0 updated \\(dbus\\); dnsmasq started \\(pid (\\d+)\\) after ${WAIT_MS} ms without waiting for them$`))
    const pid = Number(/pid (\d+)/.exec(pull.detail!)![1])
    assert.ok(pull.durationMs >= 2000, `the pull waited for the slow peer (${pull.durationMs} ms)`)
    assert.ok(p.dnsmasqAfterMs !== undefined && p.dnsmasqAfterMs < pull.durationMs, `dnsmasq ran ${p.dnsmasqAfterMs} ms after the start of notify, before the pull ended (${pull.durationMs} ms)`)
    assert.match(step(p, 'dnsmasq.start')?.detail ?? '', new RegExp(`^already running \\(pid ${pid}\\)$`))
    assert.equal(lab.dnsmasqPid(a), pid, 'not restarted for the late leases')
    // dnsmasq writes its file itself once AddDhcpLease gave it the lease: proof it holds it in memory.
    for (let i = 0; i < 50 && !readFileSync(a.leases, 'latin1').includes('192.168.60.170'); i++) await sleep(20)
    const got = readFileSync(a.leases, 'latin1').split('\n').find((l) => l.includes('192.168.60.170'))
    assert.ok(got?.includes('52:54:00:00:00:0c'), `dnsmasq holds the slow peer's lease: ${readFileSync(a.leases, 'latin1')}`)
    assert.ok(Math.abs(Number(got!.split(' ')[0]) - exp) <= 3, 'with its expiry')
  })

  test('a dead peer (its packets dropped, ssh waits out ConnectTimeout): dnsmasq runs after pull_wait_ms, the pull fails and says so, exit 3', async () => {
    lab.inNs(b.ns, ['nft', '-f', '-'], true, 'table inet hat_dead {\n chain input {\n type filter hook input priority 0;\n tcp dport 22 drop\n }\n}\n')
    try {
      const before = line(now() + 600, '52:54:00:00:00:0a', '192.168.60.150', 'a')
      writeFileSync(a.leases, before)
      const p = await promote()
      assert.equal(p.run.code, 3, `a failed non-critical step is a partial transition: ${p.run.stderr}`)
      const pull = step(p, 'leases.pull')!
      assert.equal(pull.status, 'failed')
      assert.match(pull.error ?? '', new RegExp(`unreachable.*; dnsmasq started \\(pid \\d+\\) after ${WAIT_MS} ms without waiting for them`))
      assert.ok(pull.durationMs >= 2500, `ssh gave up after its connect timeout (${pull.durationMs} ms)`)
      assert.ok(p.dnsmasqAfterMs !== undefined && p.dnsmasqAfterMs < 2500, `dnsmasq ran ${p.dnsmasqAfterMs} ms after notify started, not after ssh's 3 s connect timeout`)
      assert.ok(lab.dnsmasqPid(a), 'dnsmasq serves')
      assert.match(readFileSync(a.leases, 'latin1'), /192\.168\.60\.150 a/, 'the local leases are intact')
    } finally {
      sh(['ip', 'netns', 'exec', b.ns, 'nft', 'delete', 'table', 'inet', 'hat_dead'], {must: false})
    }
  })
})
