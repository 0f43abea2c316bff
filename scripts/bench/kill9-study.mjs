#!/usr/bin/env node
// The kill -9 study (docs/failover.md): keepalived alone in the lab, the MASTER's keepalived killed with
// SIGKILL, and its leftovers (rule 32770 + the VMAC with the VIP) removed on the dead node either before
// or after the peer took over. Prints the client's outage, when the LAN bridge moved the virtual MAC
// between ports (bridge monitor fdb), and which frames with the virtual MAC as source each gateway port
// sent (nft bridge counters), per keepalived setting. Root; runs the lab (hold /tmp/hat-ns.lock).
//   node --import tsx scripts/bench/kill9-study.mjs [runs] [--settings default,delay1,refresh1]
import {spawn, spawnSync} from 'node:child_process'
import * as lab from '../lab.ts'

const SETTINGS = {
  default: [],
  delay1: ['vrrp_garp_master_delay 1'],
  refresh1: ['vrrp_garp_master_refresh 1'],
  lowerprio: ['vrrp_garp_lower_prio_repeat 5', 'vrrp_garp_lower_prio_delay 0'],
  example: ['vrrp_garp_master_delay 1', 'vrrp_garp_master_refresh 1'],
}
const args = process.argv.slice(2)
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 2)
const which = (args[args.indexOf('--settings') + 1] && args.includes('--settings') ? args[args.indexOf('--settings') + 1] : 'default,delay1').split(',')
const when = (args.includes('--when') ? args[args.indexOf('--when') + 1] : 'after,before').split(',')
const clientMode = args.includes('--client') ? args[args.indexOf('--client') + 1] : 'dhcp'
const conntrackd = !args.includes('--no-conntrackd')
const VMAC = `00:00:5e:00:01:${lab.VRID.toString(16).padStart(2, '0')}`
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const now = () => performance.timeOrigin + performance.now()

function counters() {
  const out = spawnSync('ip', ['netns', 'exec', lab.NS.client, 'nft', '-j', 'list', 'table', 'bridge', 'hat_study'], {encoding: 'utf8'}).stdout
  const res = {}
  for (const item of JSON.parse(out).nftables) {
    const r = item.rule
    if (!r?.comment) continue
    res[r.comment] = r.expr.find((e) => e.counter)?.counter.packets ?? 0
  }
  return res
}

function installCounters() {
  const match = {'arp-request': 'arp operation request', 'arp-reply': 'arp operation reply', ip: 'ether type ip', ip6: 'ether type ip6'}
  const rules = lab.GWS.flatMap((gw) => Object.entries(match).map(([t, m]) => `    iifname "lan-${gw}" ether saddr ${VMAC} ${m} counter comment "${gw}-${t}"`))
  const text = `table bridge hat_study {\n  chain watch {\n    type filter hook prerouting priority 0; policy accept;\n${rules.join('\n')}\n  }\n}\n`
  spawnSync('ip', ['netns', 'exec', lab.NS.client, 'nft', '-f', '-'], {input: text, encoding: 'utf8'})
}

async function once(setting, cleanWhen) {
  await lab.up({mode: 'baseline', conntrackd, tcpLoose: 0, client: clientMode, keepalivedGlobals: SETTINGS[setting]})
  installCounters()
  const {master: dead} = await lab.settle(300)
  const peer = dead === 'gw1' ? 'gw2' : 'gw1'
  const fdb = spawn('ip', ['netns', 'exec', lab.NS.client, 'stdbuf', '-oL', 'bridge', '-ts', 'monitor', 'fdb'], {stdio: ['ignore', 'pipe', 'ignore']})
  const fdbNow = () => (spawnSync('ip', ['netns', 'exec', lab.NS.client, 'bridge', 'fdb', 'show', 'br', 'lanbr'], {encoding: 'utf8'}).stdout.split('\n').find((l) => l.startsWith(VMAC)) ?? 'none').replace(/ master lanbr.*/, '')
  let fdbOut = ''
  fdb.stdout.on('data', (d) => { fdbOut += d })
  const probe = await lab.startProbe(5)
  await sleep(300)
  const atKill = counters()
  const t0 = now()
  await lab.inflict('kill', dead)
  // Where the LAN bridge sends the virtual MAC, polled until 300 ms after the clean-up.
  const fdbTrail = []
  let polling = true
  const poll = (async () => {
    while (polling) {
      const port = /dev (\S+)/.exec(fdbNow())?.[1] ?? 'none'
      if (fdbTrail.at(-1)?.port !== port) fdbTrail.push({ms: +(now() - t0).toFixed(0), port})
      await sleep(5)
    }
  })()
  let tCleanup
  const cleanup = () => {
    lab.run(['ip', '-n', lab.NS[dead], 'rule', 'del', 'priority', String(lab.RULE_PRIO)], {allowFail: true})
    lab.run(['ip', '-n', lab.NS[dead], 'link', 'del', lab.VMAC_IF], {allowFail: true})
    tCleanup = now() - t0
  }
  if (cleanWhen === 'before') cleanup()
  while (!lab.nodeView(peer).master && now() - t0 < 10000) await sleep(5)
  const tTakeover = now() - t0
  const atTakeover = counters()
  const killToTakeover = counters()
  const fdbAtTakeover = fdbNow()
  if (cleanWhen === 'after') { await sleep(200); cleanup() }
  const atCleanup = counters()
  const fdbAtCleanup = fdbNow()
  await sleep(100)
  const fdbAfterCleanup = fdbNow()
  await sleep(300)
  polling = false
  await poll
  await sleep(6700)
  const end = counters()
  const fdbEnd = fdbNow()
  const p = await probe.stop()
  fdb.kill('SIGTERM')
  const moves = fdbOut.split('\n').filter((l) => l.toLowerCase().includes(VMAC) && /lan-gw/.test(l)).map((l) => {
    const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d+)\]\s?(.*)$/.exec(l)
    const at = m ? new Date(m[1]).getTime() + Number(`0.${m[2]}`) * 1000 - t0 : null
    return `${at === null ? '?' : at.toFixed(0)}ms ${/Deleted/.test(l) ? 'del' : 'at'} ${/lan-gw1/.test(l) ? 'gw1' : 'gw2'}`
  })
  const sent = (c0, c1) => Object.fromEntries(Object.keys(c1).map((k) => [k, c1[k] - (c0[k] ?? 0)]))
  const client = lab.analyzeProbe(p, t0, 5)
  await lab.down({quiet: true})
  return {setting, cleanWhen, dead, takeoverMs: +tTakeover.toFixed(0), cleanupMs: +(tCleanup ?? -1).toFixed(0), outageMs: client.outageMs, tcpStallMs: client.tcpStallMs,
    vmacFramesKillToTakeover: sent(atKill, killToTakeover), vmacFramesTakeoverToCleanup: sent(atTakeover, atCleanup), vmacFramesAfterCleanup: sent(atCleanup, end), fdb: {atTakeover: fdbAtTakeover, atCleanup: fdbAtCleanup, after100ms: fdbAfterCleanup, end: fdbEnd}, fdbTrail, fdbMoves: moves}
}

const results = []
try {
  for (let i = 0; i < runs; i++) for (const s of which) for (const w of when) {
    const r = await once(s, w)
    results.push(r)
    console.log(JSON.stringify(r))
  }
} finally {
  await lab.down({quiet: true})
}
