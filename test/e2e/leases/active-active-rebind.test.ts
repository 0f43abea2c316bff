// Active/active DHCP (dnsmasq.stop_on_backup = false, the lab's default) on what ships: each gateway's dnsmasq
// serves its own half of the range, and `config example dnsmasq` lists the peer's half too, for every message but
// a DISCOVER. The client's lease comes from one gateway (the MASTER in one test, the BACKUP in the other) and
// replicates to the other (the peer port, the daemons' lease-file watch); that gateway then loses power. The client's renewal (unicast, T1) goes unanswered, its
// rebinding broadcast (T2) reaches the survivor, which holds the replicated lease: it must ACK the same address.
// Without the peer's half dnsmasq NAKs it ("address not available", rfc2131.c: a renewal outside every range that
// matches) and the client starts over with a new address from the survivor's half. Then the same client's
// INIT-REBOOT is confirmed by the survivor, and new clients (DISCOVERs) still get addresses from its half only.
//
// dnsmasq leases for 120 s at least; the test asks it for T1 = 4 s and T2 = 8 s (options 58 and 59, which dnsmasq
// takes from its config when shorter than the lease), so the client rebinds within seconds of the power loss.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {checkLease} from '../../../scripts/lab.js'
import {ADDR, type Gw, type Lab, labSkipReason, NS, ROOT, RUN, withLab} from '../lab.js'

const T1_S = 4
const T2_S = 8
const NEW_CLIENTS = 12

const toInt = (ip: string) => ip.split('.').reduce((a, b) => a * 256 + Number(b), 0)
const leaseOf = (file: string, ip: string): string | undefined => {
  try { return readFileSync(file, 'latin1').split('\n').find((l) => l.split(' ')[2] === ip) } catch { return undefined }
}
/** A gateway's own half, as its dnsmasq.conf (the shipped example) states it: the first dhcp-range line. */
function ownHalf(conf: string): [number, number] {
  const m = /^dhcp-range=(\d+\.\d+\.\d+\.\d+),(\d+\.\d+\.\d+\.\d+),/m.exec(conf)
  assert.ok(m, 'the example has an IPv4 dhcp-range')
  return [toInt(m[1]), toInt(m[2])]
}

/**
 * A fresh lease for the client from gw: the other gateway's dnsmasq is paused (SIGSTOP) while the client, its lease
 * file gone, DISCOVERs, so only gw answers; resumed, the paused dnsmasq finds a REQUEST addressed to gw and ignores it.
 */
async function leaseFrom(lab: Lab, gw: Gw): Promise<string> {
  const pid = lab.pid(`${lab.other(gw)}-dnsmasq`)
  assert.ok(pid, `${lab.other(gw)}'s dnsmasq runs`)
  await lab.stop('client-dhclient')
  rmSync(join(RUN, 'client/dhclient.leases'), {force: true})
  lab.exec('client', ['ip', '-4', 'addr', 'flush', 'dev', 'lanbr'])
  process.kill(pid, 'SIGSTOP')
  try {
    const r = await checkLease(undefined, gw)
    assert.ok(r.address && r.reason === 'BOUND' && r.server === ADDR.lan[gw], `a new lease from ${gw}: ${JSON.stringify(r)}`)
    return r.address
  } finally { process.kill(pid, 'SIGCONT') }
}

for (const granted of ['gw1', 'gw2'] as const) {
  const role = granted === 'gw1' ? 'the MASTER' : 'the BACKUP'
  test(`active/active: ${role} granted the lease and loses power, the client rebinds at the survivor and keeps its address; new clients get the survivor's half only`, {timeout: 150_000}, async (t) => {
    const skip = labSkipReason() ?? (existsSync('/usr/sbin/sshd') ? undefined : 'the peer port needs sshd (openssh-server: scripts/install-system-deps)')
    if (skip) { t.skip(skip); return }
    await withLab({mode: 'fifo', peer: true, lanLeaseSecs: 120, dnsmasqExtraArgs: [`--dhcp-option=58,${T1_S}`, `--dhcp-option=59,${T2_S}`]}, async (lab) => {
      assert.equal(lab.master(), 'gw1', 'gw1 is the first MASTER')
      const held = await leaseFrom(lab, granted)
      const survivor = lab.other(granted)
      const confOf = (gw: Gw) => readFileSync(join(RUN, gw, 'dnsmasq.conf'), 'utf8')
      const [grantedHalf, survivorHalf] = [ownHalf(confOf(granted)), ownHalf(confOf(survivor))]
      assert.ok(toInt(held) >= grantedHalf[0] && toInt(held) <= grantedHalf[1], `${granted} offered ${held} from its own half`)
      assert.match(confOf(survivor), /^dhcp-range=tag:!hat-discover,/m, `${survivor}'s example lists the peer's half (not for DISCOVERs)`)

      const clientMac = lab.exec('client', ['cat', '/sys/class/net/lanbr/address']).stdout.trim()
      await lab.waitFor(`the client's ${held} replicated to ${survivor}`, () => leaseOf(lab.paths(survivor).dnsmasqLeases, held)?.includes(clientMac), 10_000, 50)
      const wasMaster = lab.master() === granted
      assert.equal(wasMaster, granted === 'gw1')
      const t0 = Date.now()
      await lab.inflict('node', granted)
      // The first answer the client logs from anyone but the dead node: an ACK of the held address (RENEW/REBIND)
      // or, after a NAK, BOUND with a new one.
      const ev = await lab.waitFor(`the client's rebinding at ${survivor}`,
        () => lab.clientDhcpEvents().find((e) => e.at > t0 && e.server !== ADDR.lan[granted] && ['REBIND', 'BOUND', 'RENEW', 'REBOOT'].includes(e.reason)),
        (T2_S + 30) * 1000, 50)
      assert.ok(ev)
      t.diagnostic(`lease ${held} from ${granted} (${wasMaster ? 'MASTER' : 'BACKUP'}), power loss; ${ev.reason} ${ev.address} from ${ev.server} after ${Math.round(ev.at - t0)} ms`)
      // ISC dhclient names an ACK to its broadcast after T2 RENEW (it stays in RENEWING and only broadcasts): the
      // survivor saw the REQUEST at all only because it was broadcast, the unicast went to the dead node.
      assert.deepEqual({reason: ['RENEW', 'REBIND'].includes(ev.reason), address: ev.address, server: ev.server}, {reason: true, address: held, server: ADDR.lan[survivor]},
        `the survivor ACKs the rebinding for the replicated ${held}: ${ev.reason}`)
      const log = readFileSync(join(lab.paths(survivor).logs, `${survivor}-dnsmasq-dhcp.log`), 'utf8')
      assert.match(log, new RegExp(`DHCPACK\\(lan0\\) ${held.replaceAll('.', '\\.')} ${clientMac}`))

      // INIT-REBOOT (the client restarts its DHCP client): a REQUEST for the held address, confirmed by the survivor.
      if (wasMaster) await lab.waitFor(`${survivor} MASTER`, () => lab.view(survivor).master, 15_000, 20)
      const reboot = await checkLease(held, survivor)
      assert.deepEqual({kept: reboot.kept, reason: reboot.reason, server: reboot.server}, {kept: true, reason: 'REBOOT', server: ADDR.lan[survivor]}, JSON.stringify(reboot))

      // New clients: DISCOVERs carry the tag, so the survivor offers only its own half (dnsmasq hashes the MAC
      // over every range it may use: with the peer's half open to DISCOVERs about half of them would land there).
      await lab.stop('client-dhclient')
      const r = spawnSync('ip', ['netns', 'exec', NS.client, process.execPath, join(ROOT, 'test/e2e/leases/dhcp-burst.mjs'), String(NEW_CLIENTS), '1000', ADDR.lan[survivor], '500'], {encoding: 'utf8', timeout: 30_000})
      assert.equal(r.status, 0, r.stderr)
      const burst = JSON.parse(r.stdout) as {clients: Array<{mac: string; ip: string}>; failed: Array<{mac: string; why: string}>}
      assert.deepEqual(burst.failed, [], 'every new client got an ACK')
      const outside = burst.clients.filter((c) => toInt(c.ip) < survivorHalf[0] || toInt(c.ip) > survivorHalf[1])
      assert.deepEqual(outside, [], `${survivor} offered only its own half`)
    })
  })
}
