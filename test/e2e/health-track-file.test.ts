// End to end: two real keepalived instances (VRRPv3, nopreempt, track_file at weight 0) in
// namespaces of their own, each reading the track_file its node's health monitor writes.
// MASTER moves when the monitor finds its node unhealthy and on `ha-tool maintenance on`;
// after `maintenance off` the node is eligible again and, with nopreempt, stays BACKUP until
// the next failover. Namespaces hat-h5-e*; traffic only between them. No vrrp_rt_priority: under
// load, a realtime VRRP child that runs past RLIMIT_RTTIME is SIGKILLed and respawns as BACKUP, and
// the higher-priority peer takes MASTER against nopreempt (seen in CI).
//
//   g1 (prio 150)  lan0 10.55.20.1 ==== lan0 10.55.20.2  g2 (prio 100)      VIP 10.55.20.3
//        u0 10.55.21.1                       u0 10.55.22.1
//           |                                   |
//        x1 10.55.21.2  ------ up ------  x2 10.55.22.2     (each node's health target)
import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {sh, veth} from '../support/netns.js'
import {BIN, cleanEnv, ensureBuilt, hasProgram, ROOT, withTempDir} from '../support/spawn.js'

const KEEPALIVED = existsSync('/usr/sbin/keepalived') ? '/usr/sbin/keepalived' : 'keepalived'
const skip = process.getuid?.() !== 0 ? 'needs root (network namespaces)' : !hasProgram(KEEPALIVED) ? 'keepalived is not installed (scripts/install-system-deps)' : !hasProgram('ping') ? 'ping is not installed' : undefined

type Gw = 'g1' | 'g2'
const VIP = '10.55.20.3'

test('keepalived follows the track_file written by the health monitor and by maintenance', {skip, timeout: 180_000}, async () => {
  ensureBuilt()
  await withTempDir(async (dir) => {
    const tag = process.pid % 100000
    const ns = {g1: `hat-h5-e1g${tag}`, g2: `hat-h5-e2g${tag}`, up: `hat-h5-eup${tag}`}
    const procs: ChildProcess[] = []
    const logs: Record<string, string> = {}
    const spawnIn = (n: string, argv: string[], log: string) => {
      const p = spawn('ip', ['netns', 'exec', n, ...argv], {stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv()})
      logs[log] = ''
      p.stdout!.setEncoding('utf8').on('data', (d: string) => { logs[log] += d })
      p.stderr!.setEncoding('utf8').on('data', (d: string) => { logs[log] += d })
      procs.push(p)
      return p
    }
    const paths = (gw: Gw) => ({conf: join(dir, gw, 'keepalived.conf'), toml: join(dir, gw, 'config.toml'), state: join(dir, gw, 'state'), track: join(dir, gw, 'state', 'track'), role: join(dir, gw, 'role')})
    try {
      for (const n of Object.values(ns)) { sh(['ip', 'netns', 'del', n], false); sh(['ip', 'netns', 'add', n]); sh(['ip', '-n', n, 'link', 'set', 'lo', 'up']) }
      veth(ns.g1, 'lan0', '10.55.20.1/24', ns.g2, 'lan0', '10.55.20.2/24')
      veth(ns.g1, 'u0', '10.55.21.1/24', ns.up, 'x1', '10.55.21.2/24')
      veth(ns.g2, 'u0', '10.55.22.1/24', ns.up, 'x2', '10.55.22.2/24')

      const notify = join(dir, 'notify.sh')
      writeFileSync(notify, '#!/bin/sh\n# keepalived appends: TYPE NAME STATE PRIORITY\necho "$4" > "$1"\n')
      chmodSync(notify, 0o755)
      for (const gw of ['g1', 'g2'] as const) {
        const p = paths(gw)
        mkdirSync(p.state, {recursive: true})
        const target = gw === 'g1' ? '10.55.21.2' : '10.55.22.2'
        writeFileSync(p.toml, `[wan]\ninterface = "u0"\n[health]\nvia = "main"\ntargets = ["${target}", "icmp://${target}"]\nmin_ok = 1\ninterval_ms = 200\ntimeout_ms = 150\nrise = 2\nfall = 2\n[state]\ndir = "${p.state}"\n`)
        writeFileSync(p.conf, `global_defs {
    router_id hat_h5_${gw}
    vrrp_version 3
    script_user root
}
vrrp_track_file ha_health {
    file ${p.track}
    weight 0
    init_file 0
}
vrrp_instance VI_H5 {
    state BACKUP
    interface lan0
    virtual_router_id 55
    priority ${gw === 'g1' ? 150 : 100}
    advert_int 0.5
    nopreempt
    virtual_ipaddress {
        ${VIP}/24
    }
    track_file {
        ha_health
    }
    notify "${notify} ${p.role}"
}
`)
      }

      const role = (gw: Gw) => (existsSync(paths(gw).role) ? readFileSync(paths(gw).role, 'utf8').trim() : '')
      const hasVip = (gw: Gw) => sh(['ip', '-n', ns[gw], '-j', 'addr', 'show', 'dev', 'lan0']).stdout.includes(`"${VIP}"`)
      const waitFor = async (what: string, ok: () => boolean, ms = 15_000) => {
        const started = Date.now()
        while (!ok()) {
          if (Date.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}: g1 ${role('g1')} vip=${hasVip('g1')} track=${readFileSync(paths('g1').track, 'utf8').trim()}, g2 ${role('g2')} vip=${hasVip('g2')} track=${readFileSync(paths('g2').track, 'utf8').trim()}`)
          await new Promise((r) => setTimeout(r, 50))
        }
        return Date.now() - started
      }
      // MASTER is judged by the VIP: keepalived runs notify scripts concurrently, so after a quick
      // flap (BACKUP, MASTER) the role file can end on the earlier state while the node is MASTER.
      const master = (gw: Gw) => hasVip(gw) && !hasVip(gw === 'g1' ? 'g2' : 'g1') && role(gw) !== 'FAULT'
      const holds = async (what: string, ok: () => boolean, ms: number) => {
        const until = Date.now() + ms
        while (Date.now() < until) { assert.ok(ok(), what); await new Promise((r) => setTimeout(r, 50)) }
      }
      const maintenance = (gw: Gw, on: boolean) => {
        const r = sh(['ip', 'netns', 'exec', ns[gw], process.execPath, BIN, 'maintenance', on ? 'on' : 'off', '--config', paths(gw).toml])
        return r.stdout
      }

      // The monitors first: keepalived drops a track_file that is missing when it starts.
      for (const gw of ['g1', 'g2'] as const) spawnIn(ns[gw], [process.execPath, '--import', 'tsx', join(ROOT, 'test/support/health-monitor-runner.ts'), paths(gw).toml], `${gw}-monitor`)
      await waitFor('both track files at 0', () => ['g1', 'g2'].every((gw) => existsSync(paths(gw as Gw).track) && readFileSync(paths(gw as Gw).track, 'utf8') === '0\n'))
      for (const gw of ['g1', 'g2'] as const) {
        spawnIn(ns[gw], [KEEPALIVED, '-n', '-l', '-D', '-P', '-f', paths(gw).conf, '-p', join(dir, gw, 'keepalived.pid'), '-r', join(dir, gw, 'vrrp.pid')], `${gw}-keepalived`)
      }
      await waitFor('g1 (higher priority) MASTER, g2 BACKUP', () => master('g1') && role('g2') === 'BACKUP')

      // 1. maintenance on the MASTER: FAULT at once, the peer takes over.
      assert.match(maintenance('g1', true), /^maintenance on: /)
      assert.equal(readFileSync(paths('g1').track, 'utf8'), '2\n')
      await waitFor('maintenance on: g1 FAULT, g2 MASTER', () => role('g1') === 'FAULT' && master('g2'))

      // 2. maintenance off: eligible again (BACKUP), and with nopreempt it stays BACKUP despite priority 150 > 100.
      assert.match(maintenance('g1', false), /eligible again/)
      await waitFor('maintenance off: g1 BACKUP', () => role('g1') === 'BACKUP')
      await holds('nopreempt: g1 stays BACKUP, g2 stays MASTER', () => role('g1') === 'BACKUP' && master('g2'), 2500)

      // 3. ... until the next failover: g2's health target dies, its monitor writes 1, g1 takes over.
      sh(['ip', '-n', ns.up, 'link', 'set', 'x2', 'down'])
      await waitFor('g2 unhealthy: g2 FAULT, g1 MASTER', () => role('g2') === 'FAULT' && master('g1'))
      assert.equal(readFileSync(paths('g2').track, 'utf8'), '1\n')
      sh(['ip', '-n', ns.up, 'link', 'set', 'x2', 'up'])
      await waitFor('g2 healthy again: BACKUP', () => role('g2') === 'BACKUP' && readFileSync(paths('g2').track, 'utf8') === '0\n')
      await holds('g1 stays MASTER', () => master('g1'), 1000)

      // 4. The MASTER's own health target dies: MASTER moves to g2.
      sh(['ip', '-n', ns.up, 'link', 'set', 'x1', 'down'])
      await waitFor('g1 unhealthy: g1 FAULT, g2 MASTER', () => role('g1') === 'FAULT' && master('g2'))
      sh(['ip', '-n', ns.up, 'link', 'set', 'x1', 'up'])
      await waitFor('g1 healthy again: BACKUP, g2 still MASTER', () => role('g1') === 'BACKUP' && master('g2'))
    } catch (error) {
      // What keepalived and the monitors said, to see why.
      const tails = Object.entries(logs).map(([k, v]) => `--- ${k}\n${v.split('\n').slice(-15).join('\n')}`).join('\n')
      throw new Error(`${(error as Error).message}\n${tails}`, {cause: error})
    } finally {
      for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM')
      await Promise.all(procs.map((p) => new Promise((r) => { if (p.exitCode !== null || p.signalCode !== null) r(undefined); else { p.once('exit', r); setTimeout(r, 2000) } })))
      // keepalived's VRRP child, notify scripts, ping streams: whatever still runs in our namespaces, by PID.
      for (const n of Object.values(ns)) {
        for (const pid of sh(['ip', 'netns', 'pids', n], false).stdout.split('\n').filter(Boolean)) { try { process.kill(Number(pid), 'SIGKILL') } catch {} }
      }
      for (const n of Object.values(ns)) sh(['ip', 'netns', 'del', n], false)
    }
  })
})
