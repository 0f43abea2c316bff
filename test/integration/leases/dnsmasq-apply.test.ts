// The merge reaching a REAL running dnsmasq: over D-Bus (dnsmasq --enable-dbus on a private
// dbus-daemon), and by stop/write/start without D-Bus. Also shows, against the real daemon, why a
// file written under a running dnsmasq is not "applied": dnsmasq rewrites it from memory.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {LeasePair, sh} from './pair.js'

const now = () => Math.floor(Date.now() / 1000)
const line = (exp: number, mac: string, ip: string, host = '*') => `${exp} ${mac} ${ip} ${host} *\n`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A private system-type bus (the policy file the lab and the other tests use), dnsmasq's own policy included. */
function busConfig(socket: string): string {
  return readFileSync(new URL('../../../scripts/lab-tools/private-bus.conf', import.meta.url), 'utf8').replace('@SOCKET@', socket)
}

describe('applying merged leases to a running dnsmasq', {concurrency: false}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-tool-h6-dnsmasq-'))
  const socket = join(dir, 'bus.sock')
  const address = `unix:path=${socket}`
  let dbusOn = true
  const lab = new LeasePair(dir, `d${process.pid % 10000}`, {
    lan: true,
    dnsmasqArgs: (n) => [...(dbusOn ? ['--enable-dbus'] : []), `--dhcp-script=${join(n.dir, 'log-script.sh')}`],
    dnsmasqEnv: {DBUS_SYSTEM_BUS_ADDRESS: address},
    extra: () => [`dbus_address = ${JSON.stringify(address)}`, 'dbus_timeout_ms = 3000'],
  })
  const {a, b} = lab
  const busctl = (...args: string[]) => sh(['busctl', `--address=${address}`, ...args], {must: false})
  const addViaDbus = (ip: string, mac: string) =>
    busctl('call', 'uk.org.thekelleys.dnsmasq', '/uk/org/thekelleys/dnsmasq', 'uk.org.thekelleys.dnsmasq', 'AddDhcpLease', 'ssayayuub', ip, mac, '0', '0', '3600', '0', 'false')

  before(async () => {
    lab.setup()
    // A lease script that only records what dnsmasq tells it (proof of what it holds in memory).
    for (const n of [a, b]) writeFileSync(join(n.dir, 'log-script.sh'), `#!/bin/sh\necho "$*" >> ${n.scriptLog}\n`, {mode: 0o755})
    writeFileSync(join(dir, 'bus.conf'), busConfig(socket))
    lab.track(spawn('dbus-daemon', [`--config-file=${join(dir, 'bus.conf')}`, '--nofork', '--nopidfile'], {stdio: 'ignore'}))
    for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(20)
    assert.ok(existsSync(socket), 'dbus-daemon did not come up')
    await lab.startSshd(a)
    await lab.startSshd(b)
  })
  after(async () => {
    await lab.stop()
    rmSync(dir, {recursive: true, force: true})
  })

  test('with --enable-dbus: AddDhcpLease on the running dnsmasq (no restart), which writes the file itself', async () => {
    dbusOn = true
    writeFileSync(a.leases, line(now() + 600, '52:54:00:00:00:0a', '192.168.60.150', 'a'))
    const pid = lab.startDnsmasq(a)
    const exp = now() + 900
    writeFileSync(b.leases, line(exp, '52:54:00:00:00:0b', '192.168.60.160', 'b'))
    const r = lab.ha(a, ['leases', 'sync', '--json'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(JSON.parse(r.stdout).method, 'dbus')
    assert.equal(lab.dnsmasqPid(a), pid, 'dnsmasq was not restarted')
    await sleep(200)
    const file = readFileSync(a.leases, 'latin1')
    const got = file.split('\n').find((l) => l.includes('192.168.60.160'))
    assert.ok(got, `dnsmasq wrote the injected lease: ${file}`)
    const [expiry, mac, , host] = got!.split(' ')
    assert.equal(mac, '52:54:00:00:00:0b')
    assert.equal(host, 'b')
    assert.ok(Math.abs(Number(expiry) - exp) <= 3, `expiry kept (${expiry} vs ${exp})`)
    assert.match(file, /192\.168\.60\.150 a/, 'its own lease is still there')
  })

  test('receive over D-Bus: a pushed add and del reach the running dnsmasq', async () => {
    const exp = now() + 500
    const add = lab.ha(a, ['leases', 'receive', '--json'], {input: `add ${line(exp, '52:54:00:00:00:0c', '192.168.60.170', 'c')}`})
    assert.equal(add.code, 0, add.stderr)
    assert.equal(JSON.parse(add.stdout).method, 'dbus')
    await sleep(200)
    assert.match(readFileSync(a.leases, 'latin1'), /52:54:00:00:00:0c 192\.168\.60\.170 c/)
    const del = lab.ha(a, ['leases', 'receive'], {input: `del ${line(exp, '52:54:00:00:00:0c', '192.168.60.170', 'c')}`})
    assert.equal(del.code, 0, del.stderr)
    await sleep(200)
    assert.doesNotMatch(readFileSync(a.leases, 'latin1'), /192\.168\.60\.170/)
  })

  test('why not just write the file: dnsmasq overwrites it from memory on its next change', async () => {
    const naive = line(now() + 900, '52:54:00:00:00:0d', '192.168.60.180', 'naive')
    writeFileSync(a.leases, readFileSync(a.leases, 'latin1') + naive)
    assert.equal(addViaDbus('192.168.60.190', '52:54:00:00:00:0f').code, 0)
    await sleep(200)
    const file = readFileSync(a.leases, 'latin1')
    assert.match(file, /192\.168\.60\.190/)
    assert.doesNotMatch(file, /naive/, 'the lease written under the running dnsmasq is gone')
    lab.stopDnsmasq(a)
  })

  test('without D-Bus: stop, merge, write, start, and dnsmasq loads the merged leases', async () => {
    dbusOn = false
    lab.writeConfig(a) // same config; dnsmasq is started without --enable-dbus now
    writeFileSync(a.leases, line(now() + 600, '52:54:00:00:00:0a', '192.168.60.150', 'a'))
    const pid = lab.startDnsmasq(a)
    writeFileSync(a.scriptLog, '')
    writeFileSync(b.leases, line(now() + 900, '52:54:00:00:00:0e', '192.168.60.165', 'e'))
    const r = lab.ha(a, ['leases', 'sync', '--json'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(JSON.parse(r.stdout).method, 'restart')
    const pid2 = lab.dnsmasqPid(a)
    assert.ok(pid2 && pid2 !== pid, 'dnsmasq runs again, as a new process')
    // At start-up dnsmasq runs its script with `old` for every lease it read: the peer's is among them.
    for (let i = 0; i < 50 && !readFileSync(a.scriptLog, 'utf8').includes('192.168.60.165'); i++) await sleep(50)
    assert.match(readFileSync(a.scriptLog, 'utf8'), /^old 52:54:00:00:00:0e 192\.168\.60\.165 e$/m)
    lab.stopDnsmasq(a)
  })

  test('apply = "dbus" with dnsmasq not on the bus: exit 69, file untouched', () => {
    lab.writeConfig(a, ['apply = "dbus"'])
    writeFileSync(a.leases, line(now() + 600, '52:54:00:00:00:0a', '192.168.60.150', 'a'))
    lab.startDnsmasq(a)
    const before = readFileSync(a.leases, 'latin1')
    const r = lab.ha(a, ['leases', 'sync'])
    assert.equal(r.code, 69, r.stderr)
    assert.match(r.stderr, /AddDhcpLease|DeleteDhcpLease/)
    assert.equal(readFileSync(a.leases, 'latin1'), before)
    lab.stopDnsmasq(a)
  })
})
