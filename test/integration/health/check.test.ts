// `ha-tool check` as keepalived runs it (fresh node, stdin closed), inside a namespace, against
// real targets in namespaces of its own: the kernel's ICMP, dnsmasq, a TCP listener, an HTTP
// server, dead and slow targets; the WAN path on a MASTER and on a BACKUP.
import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {BIN, cleanEnv, run} from '../../support/spawn.js'
import {ADDR, PORTS, skipReason, type Topology, useTopology} from './topology.js'

const skip = skipReason()
let topo: Topology
let dir: string
useTopology((t, d) => { topo = t; dir = d })

/** `ha-tool check ARGS` in the node namespace; ms is the wall time of the whole process. */
async function check(args: string[], opts: {env?: NodeJS.ProcessEnv} = {}) {
  const started = performance.now()
  const r = await run(['ip', 'netns', 'exec', topo.N, process.execPath, BIN, 'check', ...args], {env: opts.env ?? cleanEnv()})
  return {...r, ms: performance.now() - started}
}

const config = (name: string, body: string) => {
  const f = join(dir, name)
  writeFileSync(f, body)
  return f
}

describe('check: probes against real targets', {skip}, () => {
  test('ICMP to a live host: exit 0, the reason on stderr, nothing on stdout', async () => {
    const r = await check(['--target', ADDR.target, '--via', 'main'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, '')
    assert.equal(r.stderr, 'healthy: 1/1 targets answered (min_ok 1)\n')
  })

  test('ICMP to a dead host: exit 1 with the reason, within the deadline', async () => {
    const r = await check(['--target', ADDR.dead, '--timeout', '400'])
    assert.equal(r.code, 1)
    assert.match(r.stderr, new RegExp(`^unhealthy: 0/1 targets answered, need 1: ${ADDR.dead.replace(/\./g, '\\.')} (no reply|timed out after 400 ms|timed out \\(deadline 400 ms\\)|destination host unreachable)\\n$`))
    assert.ok(r.ms < 1500, `took ${r.ms} ms`)
  })

  test('quorum: one dead target of two passes min_ok 1 and fails min_ok 2', async () => {
    const targets = ['--target', ADDR.dead, '--target', ADDR.target, '--timeout', '400']
    assert.equal((await check(targets)).code, 0)
    const two = await check([...targets, '--min-ok', '2'])
    assert.equal(two.code, 1)
    assert.match(two.stderr, /^unhealthy: 1\/2 targets answered, need 2: 10\.55\.6\.99 /)
  })

  test('TCP: connect is healthy, a closed port is refused', async () => {
    assert.equal((await check(['--target', `tcp://${ADDR.target}:${PORTS.tcp}`])).code, 0)
    const closed = await check(['--target', `tcp://${ADDR.target}:${PORTS.closed}`])
    assert.equal(closed.code, 1)
    assert.equal(closed.stderr, `unhealthy: 0/1 targets answered, need 1: tcp://${ADDR.target}:${PORTS.closed} refused\n`)
  })

  test('DNS to dnsmasq: an answer is healthy; no record, a dead server and a slow one are not', async () => {
    const ok = await check(['--target', `dns://${ADDR.target}/${ADDR.okName}`, '--json'])
    assert.equal(ok.code, 0, ok.stdout)
    assert.equal(JSON.parse(ok.stdout).results[0].detail, `${ADDR.okName} A ${ADDR.okAnswer}`)
    const nx = await check(['--target', `dns://${ADDR.target}/nothing.invalid`])
    assert.equal(nx.code, 1)
    const dead = await check(['--target', `dns://${ADDR.dead}/${ADDR.okName}`, '--timeout', '300'])
    assert.equal(dead.code, 1)
    assert.ok(dead.ms < 1500, `dead server took ${dead.ms} ms`)
    const slow = await check(['--target', `dns://${ADDR.target}:${PORTS.slowDns}/${ADDR.okName}`, '--timeout', '500'])
    assert.equal(slow.code, 1, 'answers after 1500 ms, later than the 500 ms timeout')
    assert.match(slow.stderr, /timed out/)
    const patient = await check(['--target', `dns://${ADDR.target}:${PORTS.slowDns}/${ADDR.okName}`, '--timeout', '2500', '--interval', '3000'])
    assert.equal(patient.code, 0, patient.stderr)
  })

  test('HTTP: status in range is healthy, 503 is not unless asked for, slow times out', async () => {
    const url = `http://${ADDR.target}:${PORTS.http}`
    assert.equal((await check(['--target', `${url}/ok`])).code, 0)
    assert.equal((await check(['--target', `${url}/redirect`])).code, 0, '302 is in the default 200-399')
    const bad = await check(['--target', `${url}/bad`])
    assert.equal(bad.code, 1)
    assert.equal(bad.stderr, `unhealthy: 0/1 targets answered, need 1: ${url}/bad status 503, expected 200-399\n`)
    assert.equal((await check(['--target', `${url}/bad`, '--http-status', '500-599'])).code, 0)
    const slow = await check(['--target', `${url}/slow`, '--timeout', '300'])
    assert.equal(slow.code, 1)
    assert.ok(slow.ms < 1500, `slow HTTP took ${slow.ms} ms`)
  })

  test('HTTPS: the certificate is verified; trusted, the status decides', async (t) => {
    if (!topo.https) { t.skip('openssl is missing: no certificate for the HTTPS target'); return }
    const url = `https://${ADDR.target}:${PORTS.https}/ok`
    const env = cleanEnv()
    delete env.NODE_EXTRA_CA_CERTS
    const untrusted = await check(['--target', url], {env})
    assert.equal(untrusted.code, 1)
    assert.match(untrusted.stderr, /^unhealthy: 0\/1 targets answered, need 1: https:\/\/\S+ TLS: self.signed certificate\n$/)
    const trusted = await check(['--target', url, '--json'], {env: {...env, NODE_EXTRA_CA_CERTS: topo.https.cert}})
    assert.equal(trusted.code, 0, trusted.stdout)
    assert.equal(JSON.parse(trusted.stdout).results[0].detail, 'status 204')
  })

  test('ICMP answered later than the timeout fails; with a longer timeout it passes', async (t) => {
    if (!topo.slowIcmp) { t.skip('python3 is missing: no user-space ICMP responder for the slow target'); return }
    const late = await check(['--target', ADDR.slow, '--timeout', '250'])
    assert.equal(late.code, 1)
    assert.ok(late.ms < 1500, `took ${late.ms} ms`)
    const patient = await check(['--target', ADDR.slow, '--timeout', '900'])
    assert.equal(patient.code, 0, patient.stderr)
  })

  test('--json: the report on stdout, the exit code unchanged', async () => {
    const r = await check(['--target', ADDR.dead, '--target', `tcp://${ADDR.target}:${PORTS.closed}`, '--timeout', '300', '--json'])
    assert.equal(r.code, 1)
    assert.equal(r.stderr, '')
    const j = JSON.parse(r.stdout)
    assert.equal(j.healthy, false)
    assert.equal(j.status, 'unhealthy')
    assert.equal(j.total, 2)
    assert.deepEqual(j.results.map((x: {target: string; kind: string; ok: boolean}) => [x.target, x.kind, x.ok]), [[ADDR.dead, 'icmp', false], [`tcp://${ADDR.target}:${PORTS.closed}`, 'tcp', false]])
  })

  test('SIGTERM (keepalived\'s timeout): a prompt exit 1, no ping left behind', async () => {
    const p = topo.spawnIn(topo.N, [process.execPath, BIN, 'check', '--target', ADDR.dead, '--timeout', '8000', '--interval', '9000'], cleanEnv())
    let stderr = ''
    p.stderr!.removeAllListeners('data')
    p.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    await topo.waitFor(() => topo.pidsIn().some((pid) => pid !== p.pid), 'ping to start')
    const sent = performance.now()
    p.kill('SIGTERM')
    const code = await new Promise<number | null>((resolve) => p.once('exit', (c) => resolve(c)))
    const ms = performance.now() - sent
    assert.equal(code, 1)
    assert.ok(ms < 300, `exited ${ms} ms after SIGTERM`)
    assert.match(stderr, /^unhealthy: interrupted by SIGTERM after \d+ ms \(0\/1 targets had answered\)\n$/)
    await topo.waitFor(() => topo.pidsIn().length === 0, 'no process left in the node namespace', 1000)
  })
})

describe('check: bad input', {skip}, () => {
  test('--help is oclif\'s help, built from the same flag specs', async () => {
    const r = await run([process.execPath, BIN, 'check', '--help'], {env: cleanEnv()})
    assert.equal(r.code, 0)
    assert.match(r.stdout, /^Probe the health targets once/)
    for (const flag of ['--target=TARGET', '--min-ok=N', '--timeout=MS', '--probe-timeout=MS', '--interval=MS', '--via=<option>', '--http-status=LO-HI', 'EXIT CODES']) assert.ok(r.stdout.includes(flag), flag)
  })

  test('bad flags exit 2 naming the flag, with and without --json', async () => {
    const unknown = await check(['--target', 'udp://1.2.3.4:53'])
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /^ha-tool: --target "udp:\/\/1\.2\.3\.4:53": unknown probe type "udp"/)
    const slow = await check(['--target', ADDR.target, '--timeout', '1500'])
    assert.equal(slow.code, 2)
    assert.match(slow.stderr, /^ha-tool: --timeout: timeout 1500 ms is not shorter than the interval 1000 ms/)
    const json = await check(['--target', 'bad host', '--json'])
    assert.equal(json.code, 2)
    assert.equal(JSON.parse(json.stdout).error.kind, 'usage')
    assert.equal((await check(['--min-ok', 'x', '--target', ADDR.target])).code, 2)
    assert.equal((await check(['--bogus'])).code, 2)
  })

  test('bad config keys exit 78 naming file, line and key', async () => {
    const file = config('bad-target.toml', `[wan]\ninterface = "c0"\n[health]\ntargets = ["${ADDR.target}", "udp://x:1"]\n`)
    const r = await check(['--config', file])
    assert.equal(r.code, 78)
    assert.match(r.stderr, new RegExp(`^ha-tool: ${file}:4: health\\.targets: expected targets of the form .*unknown probe type "udp"`))
    const minOk = config('min-ok.toml', `[wan]\ninterface = "c0"\n[health]\ntargets = ["${ADDR.target}"]\nmin_ok = 2\n`)
    const m = await check(['--config', minOk])
    assert.equal(m.code, 78)
    // Refused by config validation itself now (issue 15), so with the line.
    assert.equal(m.stderr, `ha-tool: ${minOk}:5: health.min_ok: min_ok 2 exceeds the 1 target: every check would fail\n`)
    const slow = config('slow.toml', `[wan]\ninterface = "c0"\n[health]\ntargets = ["${ADDR.target}"]\ntimeout_ms = 5000\n`)
    const s = await check(['--config', slow, '--json'])
    assert.equal(s.code, 78)
    assert.equal(JSON.parse(s.stdout).error.kind, 'config')
    assert.equal((await check(['--config', join(dir, 'missing.toml'), '--target', ADDR.target])).code, 78, 'an explicit --config must exist')
  })
})

describe('check: the WAN path', {skip}, () => {
  const stateDir = () => join(dir, 'state')
  const setRole = (role: string | undefined) => {
    mkdirSync(stateDir(), {recursive: true})
    const f = join(stateDir(), 'state.json')
    if (role) writeFileSync(f, JSON.stringify({version: 1, role, source: 'test', instance: 'VI_1', startedAt: 0, finishedAt: 0, exit: 0, steps: [], history: []}))
    else writeFileSync(f, '')
  }
  const wanConfig = (wan = 'c0') => config(`wan-${wan}.toml`, `[wan]\ninterface = "${wan}"\n[health]\nvia = "wan"\ntargets = ["tcp://${ADDR.internet}:${PORTS.tcp}", "${ADDR.internet}"]\nmin_ok = 2\n[state]\ndir = "${stateDir()}"\n`)

  test('MASTER: probes leave through the WAN, from the WAN address', async () => {
    setRole('MASTER')
    topo.tcpPeers.length = 0
    const wanBefore = topo.txPackets('c0')
    const lanBefore = topo.txPackets('l0')
    const r = await check(['--config', wanConfig()])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stderr, 'healthy via WAN c0: 2/2 targets answered (min_ok 2)\n')
    assert.deepEqual(topo.tcpPeers, [ADDR.wan])
    assert.ok(topo.txPackets('c0') > wanBefore)
    assert.equal(topo.txPackets('l0'), lanBefore, 'nothing went out the LAN')
  })

  test('MASTER with a dead WAN and a healthy second path: unhealthy, and not one probe leaves through the LAN', async () => {
    setRole('MASTER')
    const f = config('wan-second-path.toml', `[wan]\ninterface = "c0"\n[health]\nvia = "wan"\ntargets = ["${ADDR.internet}", "tcp://${ADDR.internet}:${PORTS.tcp}", "http://${ADDR.internet}:${PORTS.http}/ok"]\nmin_ok = 1\ntimeout_ms = 400\n[state]\ndir = "${stateDir()}"\n`)
    const notSent = (via: string) => `not sent: the route from ${ADDR.wan} to ${ADDR.internet} leaves through ${via}, not the WAN c0`
    topo.setWanDead(true)
    topo.setMainDefault(true)
    try {
      // The second path is healthy: the same targets through the routing tables answer over the LAN.
      const control = await check(['--config', f, '--via', 'main', '--min-ok', '3', '--json'])
      assert.equal(control.code, 0, control.stdout)
      assert.deepEqual(JSON.parse(control.stdout).results.map((x: {ok: boolean}) => x.ok), [true, true, true])

      // 1. A default route in the main table (priority 32766, before the MASTER's rule 32770).
      let lan = topo.txPackets('l0')
      const wan = topo.txPackets('c0')
      const r1 = await check(['--config', f, '--json'])
      assert.equal(r1.code, 1, r1.stdout)
      const d1 = JSON.parse(r1.stdout).results.map((x: {ok: boolean; detail: string}) => [x.ok, x.detail])
      assert.equal(d1[0][0], false)
      assert.match(d1[0][1], /^(no reply|timed out.*)$/)
      assert.deepEqual(d1.slice(1), [[false, notSent('l0')], [false, notSent('l0')]])
      assert.equal(topo.txPackets('l0'), lan, 'nothing left through the LAN')
      assert.ok(topo.txPackets('c0') > wan, 'the echo went out the (dead) WAN')

      // 2. The WAN lost its routes (table 250 empty): the always-present table-240 fallback goes out the LAN.
      topo.setMainDefault(false)
      topo.setWanRoute(false)
      lan = topo.txPackets('l0')
      const r2 = await check(['--config', f, '--json'])
      assert.equal(r2.code, 1, r2.stdout)
      assert.deepEqual(JSON.parse(r2.stdout).results.slice(1).map((x: {detail: string}) => x.detail), [notSent('l0'), notSent('l0')])
      assert.equal(topo.txPackets('l0'), lan, 'nothing left through the LAN')

      // 3. The WAN alive again: healthy through it, from the WAN address.
      topo.setWanRoute(true)
      topo.setWanDead(false)
      topo.tcpPeers.length = 0
      const r3 = await check(['--config', f, '--min-ok', '3', '--json'])
      assert.equal(r3.code, 0, r3.stdout)
      assert.deepEqual(JSON.parse(r3.stdout).results.map((x: {ok: boolean}) => x.ok), [true, true, true])
      assert.deepEqual(topo.tcpPeers, [ADDR.wan])
    } finally {
      topo.setWanDead(false)
      topo.setMainDefault(false)
      topo.setWanRoute(true)
    }
  })

  test('BACKUP: standby, exit 0, and not one packet sent', async () => {
    setRole('BACKUP')
    topo.setMaster(false)
    try {
      const before = [topo.txPackets('c0'), topo.txPackets('l0')]
      const r = await check(['--config', wanConfig(), '--json'])
      assert.equal(r.code, 0)
      const j = JSON.parse(r.stdout)
      assert.equal(j.status, 'standby')
      assert.equal(j.reason, 'standby: role BACKUP, so no probes out of WAN c0 (only the MASTER probes its WAN)')
      assert.deepEqual([topo.txPackets('c0'), topo.txPackets('l0')], before)
      // The same targets through the routing tables (--via main) go out the LAN, through "the MASTER".
      topo.tcpPeers.length = 0
      const main = await check(['--config', wanConfig(), '--via', 'main'])
      assert.equal(main.code, 0, main.stderr)
      assert.deepEqual(topo.tcpPeers, [ADDR.lan])
    } finally {
      topo.setMaster(true)
    }
  })

  test('no recorded role and no keepalived on D-Bus: "unknown" by the documented rule (exit 0), saying where it looked, nothing sent', async () => {
    setRole(undefined)
    const before = [topo.txPackets('c0'), topo.txPackets('l0')]
    const r = await check(['--config', wanConfig()])
    assert.equal(r.code, 0)
    assert.equal(r.stderr, `unknown: no role recorded (${join(stateDir(), 'state.json')}) and keepalived did not tell over D-Bus: no probes out of WAN c0, counted healthy so keepalived may still elect this node\n`)
    assert.deepEqual([topo.txPackets('c0'), topo.txPackets('l0')], before)
  })

  test('MASTER whose WAN has no address: unhealthy, nothing sent', async () => {
    setRole('MASTER')
    const r = await check(['--config', wanConfig('c9')])
    assert.equal(r.code, 1)
    assert.equal(r.stderr, `unhealthy via WAN c9: 0/2 targets answered, need 2: tcp://${ADDR.internet}:${PORTS.tcp} WAN c9 has no IPv4 address; ${ADDR.internet} WAN c9 has no IPv4 address\n`)
  })
})
