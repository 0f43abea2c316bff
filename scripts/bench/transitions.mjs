// Key `transitions`: the daemon's latency from a notify-FIFO line being written to the WAN rule
// being in the kernel (timestamps from `ip monitor`), in keep-up mode (nftables silence, and
// none), and with the WAN link brought up first through each wan.link_via against the real
// systemd-networkd (which includes the DHCP exchange). Runs the real daemon in namespaces.
import {spawn} from 'node:child_process'
import {closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync, writeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {withNetworkdLab} from '../../test/support/networkd-lab.ts'
import {sh, withWanNetns} from './netns.mjs'
import {nowMs, watchRules} from './rule-monitor.mjs'

const root = new URL('../..', import.meta.url).pathname
const rounds = Number(process.env.BENCH_TRANSITION_ROUNDS ?? 15)
const median = (xs) => { const s = xs.filter((x) => x !== undefined).sort((a, b) => a - b); return s.length ? +s[Math.floor((s.length - 1) / 2)].toFixed(2) : null }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Starts `ha-tool daemon` on a fresh FIFO in `ns`, alternates BACKUP/MASTER lines, times each. */
async function measure(ns, configText, dir, env = {}) {
  const config = join(dir, `c-${Math.random().toString(36).slice(2)}.toml`)
  writeFileSync(config, configText)
  const fifo = join(dir, `f-${Math.random().toString(36).slice(2)}`)
  sh(['mkfifo', fifo])
  const daemon = spawn('ip', ['netns', 'exec', ns, process.execPath, join(root, 'bin/run.js'), 'daemon', '--config', config, fifo], {stdio: 'ignore', env: {...process.env, ...env}})
  const fd = openSync(fifo, constants.O_RDWR)
  const mon = watchRules(ns)
  await mon.ready
  const master = []
  const backup = []
  try {
    const send = (state) => { const t = nowMs(); writeSync(fd, `INSTANCE "VI_1" ${state} 100\n`); return t }
    send('BACKUP')
    await sleep(1500)
    for (let i = 0; i < rounds; i++) {
      const tm = send('MASTER')
      const am = await mon.next(true, tm)
      master.push(am === undefined ? undefined : am - tm)
      await sleep(300)
      const tb = send('BACKUP')
      const ab = await mon.next(false, tb)
      backup.push(ab === undefined ? undefined : ab - tb)
      await sleep(300)
    }
  } finally {
    mon.stop()
    daemon.kill('SIGTERM')
    await sleep(200)
    closeSync(fd)
    await new Promise((r) => { if (daemon.exitCode !== null) r(); else { daemon.once('exit', r); setTimeout(() => { daemon.kill('SIGKILL'); r() }, 4000) } })
  }
  return {master_line_to_rule_ms: median(master), backup_line_to_rule_gone_ms: median(backup), missed: master.concat(backup).filter((x) => x === undefined).length}
}

export async function bench() {
  const dir = mkdtempSync(join(tmpdir(), 'ha-tool-bench-t-'))
  const shm = mkdtempSync('/dev/shm/ha-tool-bench-t-')
  const base = (extra, stateDir) => `[wan]\ninterface = "wan0"\n${extra}\n[state]\ndir = "${stateDir}"\n[keepalived]\ndbus = false\n[log]\nlevel = "warn"\n`
  try {
    const out = {rounds, budget: {keep_up_line_to_rule_ms: 10}}
    await withWanNetns('hat-bench-trans', async (ns) => {
      out['keep-up, silence nftables'] = await measure(ns, base('silence = "nftables"', join(shm, 's1')), dir)
      out['keep-up, silence none'] = await measure(ns, base('silence = "none"', join(shm, 's2')), dir)
    })
    // The WAN .network is the shipped example's (`config example networkd --file wan`) for these keys.
    await withNetworkdLab('hat-bench-ndn', {wan: 'link = "down-on-backup"\nlink_via = "netlink"\ndhcpv6 = false'}, async (lab) => {
      sh(['ip', '-n', lab.rtr, 'link', 'set', 'wan0', 'up'])
      await lab.waitLease()
      out['down-on-backup, link_via netlink (networkd DHCP)'] = await measure(lab.rtr, base(`link = "down-on-backup"\nlink_via = "netlink"\nnetworkd_runtime_dir = "${lab.runtimeDir}"`, join(shm, 's3')), dir, {DBUS_SYSTEM_BUS_ADDRESS: lab.busAddress})
    })
    await withNetworkdLab('hat-bench-ndd', {wan: 'link = "down-on-backup"\nlink_via = "networkd"\ndhcpv6 = false'}, async (lab) => {
      await lab.waitLease()
      out['down-on-backup, link_via networkd (drop-in + Reload)'] = await measure(lab.rtr, base(`link = "down-on-backup"\nlink_via = "networkd"\nnetworkd_runtime_dir = "${lab.runtimeDir}"`, join(shm, 's4')), dir, {DBUS_SYSTEM_BUS_ADDRESS: lab.busAddress})
    })
    out.note = 'medians over the rounds; a MASTER with the link down includes link up, the DHCP exchange and the table-250 default route; the WAN .network is `config example networkd --file wan` (IPv4 only, wan.dhcpv6 = false). notify on a converged node: see startup.ratios'
    return out
  } finally {
    rmSync(dir, {recursive: true, force: true})
    rmSync(shm, {recursive: true, force: true})
  }
}
