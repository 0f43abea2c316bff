// Issue 16's lab test (1) on what ships: a LAN client gets a lease from the MASTER, the MASTER loses power 1 s
// later, the client renews against the new MASTER and keeps its address. The lab (test/e2e/lab.ts) with the peer
// port and active/passive DHCP (`dhcpOnMaster`: ha-tool's dnsmasq.enabled with the default stop_on_backup), so every
// config is what `ha-tool config example` prints from each node's ha-tool.toml and ha-tool is the installed tree:
// gw1's dnsmasq runs the shipped dhcp-script wrapper (`ha-tool leases hook`), the hook queues the lease and gw1's
// daemon pushes it over its held channel to gw2's `leases receive` (gw2's dnsmasq is stopped: the lease goes into
// the file it reads when it starts); gw2's promotion (its daemon's lease steps: pull the peer's leases, which fails
// when the peer is dead, then start dnsmasq) serves it.
//
// dnsmasq picks addresses by a hash of the MAC, so a gw2 that knew nothing would ACK the client's INIT-REBOOT for
// the same address anyway, and the test would prove nothing. So gw2's lease file holds an older lease of another
// machine on the client's address, as a node that served that LAN earlier would: without the replicated lease gw2
// believes the address is taken and NAKs it. The mechanism switched off (every sshd on gw2 ended before the client's
// lease: the push cannot reach gw2) makes the power-loss case fail that way, and the second test shows it does; the
// third shows the other path, the promotion pull from a peer that is still reachable (keepalived stopped).
import assert from 'node:assert/strict'
import {existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {test, type TestContext} from 'node:test'
import {checkLease, type LeaseCheck} from '../../../scripts/lab.js'
import {namespacePids} from '../../support/topology.js'
import {ADDR, type Lab, labSkipReason, NS, RUN, sleep, withLab} from '../lab.js'

/** The other machine's lease on the client's address in gw2's file: older (it expires first), still valid. */
const OTHER_MAC = '02:00:00:00:99:01'
const OTHER_LEASE_S = 300

type Scenario = {
  /** End every sshd on gw2 (the peer port) before the client's lease: gw1's push cannot reach gw2. */
  cutPeerPort: boolean
  /** How gw1 goes: power loss (`node`, 1 s after the lease) or a keepalived stop (gw1 stays reachable). */
  kind: 'node' | 'stop'
}
type Outcome = {first: LeaseCheck; after: LeaseCheck; onGw2AtFailure: boolean; gw2Log: string; clientMac: string}

const leaseOf = (file: string, ip: string): string | undefined => {
  try { return readFileSync(file, 'latin1').split('\n').find((l) => l.split(' ')[2] === ip) } catch { return undefined }
}

async function scenario(t: TestContext, s: Scenario): Promise<Outcome | undefined> {
  const skip = labSkipReason() ?? (existsSync('/usr/sbin/sshd') ? undefined : 'the peer port needs sshd (openssh-server: scripts/install-system-deps)')
  if (skip) { t.skip(skip); return undefined }
  return withLab({mode: 'fifo', peer: true, dhcpOnMaster: true}, async (lab) => {
    assert.equal(lab.master(), 'gw1', 'gw1 is the first MASTER')
    assert.ok(!lab.running('gw2-dnsmasq') && !dnsmasqRunning(lab, 'gw2'), 'active/passive: the BACKUP runs no dnsmasq')
    const clientMac = lab.exec('client', ['cat', '/sys/class/net/lanbr/address']).stdout.trim()
    const [gw1File, gw2File] = [lab.paths('gw1').dnsmasqLeases, lab.paths('gw2').dnsmasqLeases]

    // The lease from lab up reaches gw2, then goes: the client releases it (gw1's dnsmasq deletes it, the hook passes
    // that on); nothing is in flight to gw2 after that.
    const held = lab.clientAddress()
    assert.ok(held, 'the client got a lease at lab up')
    await lab.waitFor(`the client's ${held} replicated to gw2`, () => leaseOf(gw2File, held)?.includes(clientMac), 10_000, 50)
    await lab.stop('client-dhclient')
    const rel = lab.exec('client', ['dhclient', '-r', '-4', '-sf', `${RUN}/client/dhclient-script.sh`, '-lf', `${RUN}/client/dhclient.leases`, '-pf', `${RUN}/client/dhclient.pid`, 'lanbr'])
    assert.equal(rel.code, 0, rel.stderr)
    await lab.waitFor(`the released ${held} gone from both lease files`, () => !leaseOf(gw1File, held) && !leaseOf(gw2File, held), 10_000, 50)

    if (s.cutPeerPort) {
      // the listener and every session it forked (sshd-session: gw1's daemon may hold one open), by PID
      const sshds = namespacePids(NS.gw2).filter((p) => { try { return readFileSync(`/proc/${p}/comm`, 'utf8').startsWith('sshd') } catch { return false } })
      assert.ok(sshds.length > 0, 'gw2 runs sshd')
      for (const p of sshds) { try { process.kill(p, 'SIGKILL') } catch { /* gone */ } }
    }
    // The daemons' scheduled full lease sync (every 5 minutes by default) would carry leases across behind the test's
    // back (the other machine's to gw1, the client's to gw2): the test keeps clear of it.
    const toSync = 300_000 - (Date.now() % 300_000)
    if (toSync < 15_000) await sleep(toSync + 3000)
    // gw2 (BACKUP, dnsmasq stopped) remembers another machine on that address, as a node that served the LAN before.
    const now = Math.floor(Date.now() / 1000)
    writeFileSync(`${gw2File}.hat-test`, `${now + OTHER_LEASE_S} ${OTHER_MAC} ${held} old-host *\n`)
    renameSync(`${gw2File}.hat-test`, gw2File)

    // The client's new lease, from the MASTER.
    const first = await checkLease(held, 'gw1')
    assert.ok(first.address?.startsWith('192.168.1.'), `the client got a lease: ${JSON.stringify(first)}`)
    assert.equal(first.server, ADDR.lan.gw1, `from the MASTER gw1: ${JSON.stringify(first)}`)
    assert.equal(first.address, held, 'the same address as before (dnsmasq hashes the MAC; gw2\'s file names another machine on it)')
    assert.match(leaseOf(gw1File, held) ?? '', new RegExp(` ${clientMac} `), 'gw1 holds the client\'s lease')

    if (s.kind === 'node') await sleep(1000)
    else await lab.waitFor('the lease on gw2 or the push given up', () => leaseOf(gw2File, held)?.includes(clientMac) || s.cutPeerPort, 5000, 50)
    const onGw2AtFailure = Boolean(leaseOf(gw2File, held)?.includes(clientMac))
    t.diagnostic(`${s.kind === 'node' ? '1 s after the ACK, at the power loss' : 'at the keepalived stop'}: gw2's lease file ${onGw2AtFailure ? 'holds' : 'does not hold'} the client's lease`)
    await lab.inflict(s.kind, 'gw1')
    await lab.waitFor('gw2 MASTER with VIP and WAN rule', () => lab.view('gw2').master, 15_000, 20)
    // The client reboots its DHCP client: INIT-REBOOT, a REQUEST for the address it holds, now answered by gw2.
    const after = await checkLease(held, 'gw2')
    const gw2Log = readFileSync(`${lab.paths('gw2').logs}/gw2-dnsmasq-dhcp.log`, 'utf8')
    return {first, after, onGw2AtFailure, gw2Log, clientMac}
  })
}

/** gw's dnsmasq as ha-tool sees it: its pid file names a live dnsmasq. */
function dnsmasqRunning(lab: Lab, gw: 'gw1' | 'gw2'): boolean {
  try {
    const pid = Number(readFileSync(lab.paths(gw).dnsmasqPidFile, 'utf8').trim())
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'dnsmasq'
  } catch { return false }
}

test('the MASTER loses power 1 s after the client\'s lease: it was replicated, the client renews against the new MASTER and keeps its address', {timeout: 240_000}, async (t) => {
  const o = await scenario(t, {cutPeerPort: false, kind: 'node'})
  if (!o) return
  assert.ok(o.after.kept, `the client kept ${o.first.address}: ${JSON.stringify(o.after)}`)
  assert.equal(o.after.reason, 'REBOOT', 'gw2 ACKed the INIT-REBOOT request')
  assert.equal(o.after.server, ADDR.lan.gw2, 'the new MASTER answered')
  assert.match(o.gw2Log, new RegExp(`DHCPACK\\(lan0\\) ${o.first.address!.replaceAll('.', '\\.')} ${o.clientMac}`))
})

test('the mechanism off: the push cannot reach gw2 (its sshd ended), the MASTER loses power 1 s later, gw2 NAKs and the client loses its address', {timeout: 240_000}, async (t) => {
  const o = await scenario(t, {cutPeerPort: true, kind: 'node'})
  if (!o) return
  assert.equal(o.onGw2AtFailure, false, 'the lease did not reach gw2')
  assert.equal(o.after.kept, false, `without replication the client must not keep ${o.first.address}: ${JSON.stringify(o.after)}`)
  assert.match(o.gw2Log, new RegExp(`DHCPNAK\\(lan0\\) ${o.first.address!.replaceAll('.', '\\.')} ${o.clientMac}`), 'gw2 refused the address')
})

test('the push cannot reach gw2 but gw1 stays reachable (keepalived stopped): gw2\'s promotion pulls the lease, the client keeps its address', {timeout: 240_000}, async (t) => {
  const o = await scenario(t, {cutPeerPort: true, kind: 'stop'})
  if (!o) return
  assert.equal(o.onGw2AtFailure, false, 'the lease did not reach gw2 by the push')
  assert.ok(o.after.kept, `the client kept ${o.first.address}: ${JSON.stringify(o.after)}`)
  assert.equal(o.after.server, ADDR.lan.gw2, 'the new MASTER answered')
})
