// leases sync / hook / receive over a REAL OpenSSH between two namespaces (sshd on the sync link,
// throw-away keys, BatchMode): pull, push, peer down (exit 69, local file untouched, queued and
// flushed later), a bad peer file refused. dnsmasq is stopped here, so files are written directly.
import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import type {ChildProcess} from 'node:child_process'
import {LeasePair} from './pair.js'

const now = () => Math.floor(Date.now() / 1000)
const line = (exp: number, mac: string, ip: string, host = '*') => `${exp} ${mac} ${ip} ${host} *\n`

describe('leases over ssh between two namespaces', {concurrency: false}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-tool-h6-ssh-'))
  const lab = new LeasePair(dir, `s${process.pid % 10000}`)
  const {a, b} = lab
  let sshdB: ChildProcess

  before(async () => {
    lab.setup()
    await lab.startSshd(a)
    sshdB = await lab.startSshd(b)
  })
  after(async () => {
    await lab.stop()
    rmSync(dir, {recursive: true, force: true})
  })

  test('sync pulls the peer\'s leases into a stopped dnsmasq\'s file (atomically, merged)', () => {
    const mine = line(now() + 600, '52:54:00:00:00:0a', '192.168.60.150', 'a')
    const theirs = line(now() + 900, '52:54:00:00:00:0b', '192.168.60.160', 'b')
    writeFileSync(a.leases, mine)
    writeFileSync(b.leases, theirs)
    const r = lab.ha(a, ['leases', 'sync', '--json'])
    assert.equal(r.code, 0, r.stderr)
    const out = JSON.parse(r.stdout)
    assert.equal(out.method, 'file')
    assert.equal(out.report.added, 1)
    assert.equal(readFileSync(a.leases, 'latin1'), mine + theirs)
    assert.equal(readFileSync(b.leases, 'latin1'), theirs, 'the peer\'s file is only read')
    // A second sync has nothing to do.
    assert.equal(JSON.parse(lab.ha(a, ['leases', 'sync', '--json']).stdout).method, 'unchanged')
  })

  test('the hook pushes a new lease to the peer at once', () => {
    const exp = now() + 700
    const r = lab.ha(a, ['leases', 'hook', 'add', '52:54:00:00:00:0c', '192.168.60.170', 'c'], {env: {...process.env, DNSMASQ_LEASE_EXPIRES: String(exp)}})
    assert.equal(r.code, 0, r.stderr)
    assert.match(readFileSync(b.leases, 'latin1'), new RegExp(`^${exp} 52:54:00:00:00:0c 192\\.168\\.60\\.170 c \\*$`, 'm'))
    const del = lab.ha(a, ['leases', 'hook', 'del', '52:54:00:00:00:0c', '192.168.60.170', 'c'], {env: {...process.env, DNSMASQ_LEASE_EXPIRES: String(exp)}})
    assert.equal(del.code, 0, del.stderr)
    assert.doesNotMatch(readFileSync(b.leases, 'latin1'), /192\.168\.60\.170/)
  })

  test('a malformed peer file is refused and named; the local file is untouched', () => {
    const before = readFileSync(a.leases, 'latin1')
    writeFileSync(b.leases, line(now() + 900, '52:54:00:00:00:0b', '192.168.60.160') + 'this is not a lease\n')
    const r = lab.ha(a, ['leases', 'sync'])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /root@192\.168\.190\.2:.*dnsmasq\.leases:2: bad expiry "this"/)
    writeFileSync(b.leases, line(now() + 900, '52:54:00:00:00:0b', '192.168.60.160').slice(0, 25))
    const t = lab.ha(a, ['leases', 'sync'])
    assert.equal(t.code, 1)
    assert.match(t.stderr, /:1: no newline at the end of the file: truncated copy, refused/)
    assert.equal(readFileSync(a.leases, 'latin1'), before)
  })

  test('peer down: sync exits 69 with the local file untouched; the hook queues, and the next push delivers', async () => {
    writeFileSync(b.leases, '')
    const before = readFileSync(a.leases, 'latin1')
    await lab.kill(sshdB)
    const t0 = Date.now()
    const r = lab.ha(a, ['leases', 'sync'])
    assert.equal(r.code, 69, r.stderr)
    assert.match(r.stderr, /peer root@192\.168\.190\.2 unreachable/)
    assert.equal(readFileSync(a.leases, 'latin1'), before)
    assert.ok(Date.now() - t0 < 8000, 'bounded by the ssh timeout')

    const exp = now() + 800
    const env = {...process.env, DNSMASQ_LEASE_EXPIRES: String(exp)}
    const h = lab.ha(a, ['leases', 'hook', 'add', '52:54:00:00:00:0d', '192.168.60.180', 'd', '--json'], {env})
    assert.equal(h.code, 0, h.stderr)
    assert.equal(JSON.parse(h.stdout).push, 'queued')
    // Within the back-off window the next change is queued without waiting on ssh.
    const t1 = Date.now()
    const h2 = lab.ha(a, ['leases', 'hook', 'add', '52:54:00:00:00:0e', '192.168.60.181', 'e', '--json'], {env})
    assert.equal(JSON.parse(h2.stdout).push, 'queued')
    assert.ok(Date.now() - t1 < 2000, `a queued hook run returns at once (${Date.now() - t1} ms)`)
    assert.equal(readdirSync(join(a.dir, 'queue')).filter((f) => f.endsWith('.ev')).length, 2)

    await lab.startSshd(b)
    // The scheduled/by-hand sync sends the queue first, then pulls.
    const s = lab.ha(a, ['leases', 'sync', '--json'])
    assert.equal(s.code, 0, s.stderr)
    assert.equal(JSON.parse(s.stdout).flushed, 2)
    const peer = readFileSync(b.leases, 'latin1')
    assert.match(peer, /192\.168\.60\.180 d/)
    assert.match(peer, /192\.168\.60\.181 e/)
    assert.equal(readdirSync(join(a.dir, 'queue')).filter((f) => f.endsWith('.ev')).length, 0)
    assert.ok(!existsSync(join(a.dir, 'queue', 'peer-down')))
  })

  test('a queued batch the real peer refuses is set aside with the reason; the rest goes; sync exits 3 until it is dealt with', () => {
    const q = join(a.dir, 'queue')
    mkdirSync(q, {recursive: true})
    writeFileSync(join(q, '000000000000001-1-bad.ev'), 'add 1 not a lease\n')
    writeFileSync(join(q, '000000000000002-1-good.ev'), `add ${line(now() + 800, '52:54:00:00:00:0f', '192.168.60.190', 'f')}`)
    const r = lab.ha(a, ['leases', 'sync'])
    assert.equal(r.code, 3, r.stderr)
    assert.match(r.stdout, /1 batch refused by the peer, set aside in .*\/rejected/)
    assert.match(readFileSync(b.leases, 'latin1'), /192\.168\.60\.190 f/)
    assert.match(readFileSync(join(q, 'rejected', '000000000000001-1-bad.ev.why'), 'utf8'), /exit 2/)
    rmSync(join(q, 'rejected'), {recursive: true})
    assert.equal(lab.ha(a, ['leases', 'sync']).code, 0)
  })

  test('ssh never prompts: an unknown host key is refused (exit 69), not asked about', () => {
    const saved = readFileSync(lab.knownHosts, 'utf8')
    writeFileSync(lab.knownHosts, '')
    try {
      const r = lab.ha(a, ['leases', 'sync'])
      assert.equal(r.code, 69)
      assert.match(r.stderr, /Host key verification failed|unreachable/)
    } finally {
      writeFileSync(lab.knownHosts, saved)
    }
  })
})
