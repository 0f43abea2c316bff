// End-to-end lease continuity: a LAN client (dhclient) gets a lease from gw1's dnsmasq; gw1 goes
// away; gw2 is promoted (ha-tool's lease steps: pull + start dnsmasq); the client's INIT-REBOOT
// request for its address must be ACKed by gw2.
// dnsmasq picks addresses by a hash of the MAC, so with an empty lease file gw2 would hand out the
// same address anyway and the test would prove nothing. Here gw2's lease file holds older leases of
// other machines on every address of the (small) range, as a node that was MASTER before would:
// without replication gw2 believes the client's address is taken and NAKs it. The first case shows
// exactly that; the others pass only because the lease reached gw2 (by the hook, or by the pull).
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {LeasePair, ROOT, sh, type GwNode} from '../../integration/leases/pair.js'

const RANGE = ['192.168.60.100', '192.168.60.101', '192.168.60.102', '192.168.60.103']
const CLIENT_MAC = '02:00:00:00:60:01'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** daemon: gw1 runs `ha-tool daemon` (its replicator sends what the hook queues); powerLossMs: gw1 loses power that long after the client's ACK. */
type Scenario = {hook: boolean; pull: boolean; gw1Reachable: boolean; daemon?: boolean; powerLossMs?: number}
type Outcome = {first: string; after?: string; afterServer?: string; gw2Steps: Array<{kind: string; status: string; detail?: string; error?: string}>; gw2Log: string}

async function failover(s: Scenario): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'ha-tool-h6-e2e-'))
  const lab = new LeasePair(dir, `e${process.pid % 1000}${Number(s.hook)}${Number(s.pull)}`, {
    lan: true,
    range: '192.168.60.100,192.168.60.103,255.255.255.0,600',
    dnsmasqArgs: (n) => (s.hook ? [`--dhcp-script=${n.hook}`] : []),
  })
  const {a: gw1, b: gw2} = lab
  let dhclient: ChildProcess | undefined
  const clientLog = join(dir, 'client-events.log')
  const runDhclient = async (): Promise<{address?: string; server?: string}> => {
    writeFileSync(clientLog, '')
    dhclient = spawn('ip', ['netns', 'exec', lab.client, 'dhclient', '-d', '-1', '-4', '-cf', join(dir, 'dhclient.conf'), '-sf', join(dir, 'dhclient-script.sh'),
      '-lf', join(dir, 'dhclient.leases'), '-pf', join(dir, 'dhclient.pid'), 'eth0'], {stdio: 'ignore'})
    lab.track(dhclient)
    for (let i = 0; i < 300; i++) {
      const bound = readFileSync(clientLog, 'utf8').split('\n').find((l) => /^(BOUND|REBOOT|RENEW|REBIND) /.test(l))
      if (bound) {
        await lab.kill(dhclient)
        const [, address, server] = bound.split(' ')
        return {address, server}
      }
      if (dhclient.exitCode !== null) break
      await sleep(50)
    }
    await lab.kill(dhclient)
    return {}
  }
  const steps = (n: GwNode, role: string) => {
    const r = sh(['ip', 'netns', 'exec', n.ns, process.execPath, join(ROOT, 'test/e2e/leases/run-lease-steps.mjs'), role, n.toml, ...(s.pull ? [] : ['--no-pull'])], {must: false})
    assert.equal(r.code, 0, r.stderr)
    return JSON.parse(r.stdout)
  }
  try {
    lab.setup()
    // dhclient gives its script a clean environment; the script only records (it must not touch the host's resolv.conf).
    writeFileSync(join(dir, 'dhclient-script.sh'), `#!/bin/sh\ncase "$reason" in BOUND|REBOOT|RENEW|REBIND) echo "$reason $new_ip_address $new_dhcp_server_identifier" >> ${clientLog};; esac\nexit 0\n`, {mode: 0o755})
    writeFileSync(join(dir, 'dhclient.conf'), 'timeout 8;\nretry 1;\ninitial-interval 1;\nreboot 4;\n')
    const sshd1 = await lab.startSshd(gw1)
    await lab.startSshd(gw2)
    let daemon: ChildProcess | undefined
    if (s.daemon) {
      const env = {...process.env}
      delete env.NODE_EXTRA_CA_CERTS
      daemon = spawn('ip', ['netns', 'exec', gw1.ns, process.execPath, join(ROOT, 'bin/run.js'), 'daemon', '--config', gw1.toml], {stdio: 'ignore', env})
      lab.track(daemon)
      for (let i = 0; i < 200 && !existsSync(join(gw1.dir, 'state', 'lease-replicator.pid')); i++) await sleep(25)
    }
    const now = Math.floor(Date.now() / 1000)
    // gw2, BACKUP: dnsmasq stopped, older leases of other machines on every address of the range.
    writeFileSync(gw2.leases, RANGE.map((ip, i) => `${now + 300} 02:00:00:00:99:0${i} ${ip} old-${i} *\n`).join(''))
    // gw1 has been MASTER for a while (those old leases expired there): it serves the client.
    writeFileSync(gw1.leases, '')
    lab.startDnsmasq(gw1)
    const first = await runDhclient()
    assert.ok(first.address && RANGE.includes(first.address), `the client got a lease from gw1: ${JSON.stringify(first)}`)
    assert.equal(first.server, gw1.lanAddr)
    if (s.powerLossMs !== undefined) {
      // gw1 loses power: everything on it stops at once (dnsmasq, the daemon, its ssh connection), links gone.
      await sleep(s.powerLossMs)
      const pid = lab.dnsmasqPid(gw1)
      if (pid) process.kill(pid, 'SIGKILL')
      if (daemon?.pid) process.kill(daemon.pid, 'SIGKILL')
      sh(['ip', 'netns', 'pids', gw1.ns], {must: false}).stdout.split('\n').filter(Boolean).map(Number).forEach((p) => { try { process.kill(p, 'SIGKILL') } catch { /* gone */ } })
      for (const dev of ['sync0', 'lan0']) sh(['ip', '-n', gw1.ns, 'link', 'set', dev, 'down'], {must: false})
      const gw2Steps = steps(gw2, 'MASTER')
      assert.ok(lab.dnsmasqPid(gw2), 'gw2 serves DHCP')
      const after = await runDhclient()
      return {first: first.address!, after: after.address, afterServer: after.server, gw2Steps, gw2Log: existsSync(gw2.dnsmasqLog) ? readFileSync(gw2.dnsmasqLog, 'utf8') : ''}
    }
    if (s.hook) {
      for (let i = 0; i < 100 && !readFileSync(gw2.leases, 'latin1').includes(CLIENT_MAC); i++) await sleep(50)
    }

    // Failover: gw1 demoted (dnsmasq stopped), gone from the sync link too unless it stays reachable.
    steps(gw1, 'BACKUP')
    assert.equal(lab.dnsmasqPid(gw1), undefined)
    if (!s.gw1Reachable) await lab.kill(sshd1)
    const gw2Steps = steps(gw2, 'MASTER')
    assert.ok(lab.dnsmasqPid(gw2), 'gw2 serves DHCP')
    const after = await runDhclient()
    return {first: first.address!, after: after.address, afterServer: after.server, gw2Steps, gw2Log: existsSync(gw2.dnsmasqLog) ? readFileSync(gw2.dnsmasqLog, 'utf8') : ''}
  } finally {
    await lab.stop()
    rmSync(dir, {recursive: true, force: true})
  }
}

describe('DHCP lease continuity across a failover (real dnsmasq, dhclient, ssh)', {concurrency: false}, () => {
  test('replication off: gw2 NAKs the client\'s address (this is what the test guards against)', async () => {
    const o = await failover({hook: false, pull: false, gw1Reachable: false})
    assert.notEqual(o.after, o.first, `without replication the client must not keep ${o.first}`)
    assert.match(o.gw2Log, new RegExp(`DHCPNAK\\(lan0\\) ${o.first.replaceAll('.', '\\.')} ${CLIENT_MAC}`), 'gw2 refused the address')
  })

  test('hook replication: the lease pushed at once reaches gw2; gw1 is gone, the pull fails, the client keeps its address', async () => {
    const o = await failover({hook: true, pull: true, gw1Reachable: false})
    assert.deepEqual(o.gw2Steps.map((x) => [x.kind, x.status]), [['leases.pull', 'failed'], ['dnsmasq.start', 'ok']])
    assert.match(o.gw2Steps[0].error ?? '', /unreachable/)
    assert.equal(o.after, o.first)
    assert.equal(o.afterServer, '192.168.60.2')
  })

  test('the MASTER loses power 1 s after the client\'s lease: the daemon had replicated it over its held channel, the client renews against the new MASTER and keeps its address', async () => {
    const o = await failover({hook: true, pull: true, gw1Reachable: false, daemon: true, powerLossMs: 1000})
    assert.deepEqual(o.gw2Steps.map((x) => [x.kind, x.status]), [['leases.pull', 'failed'], ['dnsmasq.start', 'ok']], 'the dead node cannot be pulled from')
    assert.equal(o.after, o.first, `the client kept ${o.first}`)
    assert.equal(o.afterServer, '192.168.60.2')
  })

  test('promotion pull: without the hook, gw2 pulls gw1\'s leases before starting dnsmasq; the client keeps its address', async () => {
    const o = await failover({hook: false, pull: true, gw1Reachable: true})
    assert.deepEqual(o.gw2Steps.map((x) => [x.kind, x.status]), [['leases.pull', 'ok'], ['dnsmasq.start', 'ok']])
    assert.match(o.gw2Steps[0].detail ?? '', /1 added|1 updated/)
    assert.equal(o.after, o.first)
    assert.equal(o.afterServer, '192.168.60.2')
  })
})
