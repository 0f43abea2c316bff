#!/usr/bin/env node
// Failover benchmark (key `failover`): N failovers of each kind (keepalived stopped, keepalived SIGKILLed,
// LAN cable pulled, node down) in the lab, for ha-tool's modes (notify script, FIFO daemon) and for the
// baseline (keepalived's own virtual_rules, no ha-tool), interleaved round by round so all modes see
// the same machine load. Medians of client outage (UDP probe every 5 ms from the LAN client), time to
// the VIP and to the WAN rule on the new MASTER, TCP survival, lease continuity, split-brain.
// Env: BENCH_FAILOVER_N (default 3), BENCH_FAILOVER_MODES (baseline,notify,fifo), BENCH_FAILOVER_KINDS
// (stop,kill,lan,node), BENCH_FAILOVER_ADVERT (0.1), BENCH_FAILOVER_CONNTRACKD (1),
// BENCH_FAILOVER_WAN_INPUT_DROP (1, the shipped nftables example's WAN input filter; 0 = none, the lab's --no-wan-input-drop),
// BENCH_FAILOVER_LINK (keep-up; or down-on-backup: ha-tool's wan.link in notify/fifo mode).
// Run alone: node scripts/bench/failover.mjs (after a build; root).
import * as lab from '../lab.mjs'

const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return null
  const m = v.length >> 1
  return +(v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2).toFixed(1)
}
const list = (env, all) => (process.env[env] ? process.env[env].split(',').map((s) => s.trim()).filter(Boolean) : all)

function summarize(runs) {
  const n = runs.length
  if (n === 0) return {n}
  const count = (pred) => runs.filter(pred).length
  return {
    n,
    outageMs: median(runs.map((r) => r.outageMs)),
    outageMaxMs: runs.some((r) => !r.recovered) ? null : Math.max(...runs.map((r) => r.outageMs)),
    recovered: `${count((r) => r.recovered)}/${n}`,
    vipMs: median(runs.map((r) => r.vipMs)),
    ruleMs: median(runs.map((r) => r.ruleMs)),
    ruleAfterVipMs: median(runs.map((r) => r.ruleAfterVipMs)),
    oldRuleRemovedMs: median(runs.map((r) => r.oldRuleRemovedMs)),
    tcpSurvived: `${count((r) => r.tcpSurvived)}/${n}`,
    tcpErrors: [...new Set(runs.map((r) => r.tcpError).filter(Boolean))],
    leaseKept: `${count((r) => r.lease?.kept)}/${n}`,
    splitBrainAfter: `${count((r) => r.splitBrain.now)}/${n}`,
    bothWanMs: median(runs.map((r) => r.splitBrain.windows.reduce((a, w) => a + w.durationMs, 0))),
    restoredTookOver: `${count((r) => r.restoredTookOver)}/${n}`,
    preflightRetry: `${count((r) => r.preflightRetry)}/${n}`,
  }
}

export async function bench() {
  if (process.getuid?.() !== 0) return {skipped: 'needs root (network namespaces)'}
  const n = Number(process.env.BENCH_FAILOVER_N ?? 3)
  const kinds = list('BENCH_FAILOVER_KINDS', lab.KINDS)
  const advertInt = Number(process.env.BENCH_FAILOVER_ADVERT ?? 0.1)
  const conntrackd = (process.env.BENCH_FAILOVER_CONNTRACKD ?? '1') !== '0'
  const wanInputDrop = process.env.BENCH_FAILOVER_WAN_INPUT_DROP !== '0'
  const link = process.env.BENCH_FAILOVER_LINK ?? 'keep-up'
  const modes = list('BENCH_FAILOVER_MODES', lab.MODES)
  const skipped = {}
  for (const m of modes) {
    const needs = m === 'notify' ? 'notify' : m === 'fifo' ? 'daemon' : undefined
    if (needs && !lab.haToolHas(needs)) skipped[m] = `ha-tool ${needs} is not built`
  }
  const runModes = modes.filter((m) => !skipped[m])
  const runs = Object.fromEntries(runModes.map((m) => [m, Object.fromEntries(kinds.map((k) => [k, []]))]))
  const started = Date.now()
  const errors = []
  await lab.acquireLabLock(String(process.pid))
  try {
    for (let round = 0; round < n; round++) {
      for (const mode of runModes) {
        await lab.up({mode, advertInt, conntrackd, wanInputDrop, link})
        for (const kind of kinds) {
          let r
          try {
            r = await lab.failover(kind, {restoreAfter: true, settleMs: 2500})
          } catch (error) {
            // one broken run must not lose the others: record it, rebuild the lab, go on
            errors.push({mode, kind, round: round + 1, error: String(error?.message ?? error)})
            process.stderr.write(`failover ${mode} ${kind} #${round + 1}: ERROR ${error?.message ?? error}\n`)
            await lab.up({mode, advertInt, conntrackd, wanInputDrop, link})
            continue
          }
          runs[mode][kind].push(r)
          process.stderr.write(`failover ${mode} ${kind} #${round + 1}: outage ${r.recovered ? r.outageMs + ' ms' : 'never recovered'}, VIP ${r.vipMs} ms, rule ${r.ruleMs} ms, tcp ${r.tcpSurvived ? 'ok' : 'lost'}, lease ${r.lease?.kept ? 'kept' : 'lost'}${r.splitBrain.now ? ', SPLIT-BRAIN' : ''}\n`)
        }
      }
    }
  } finally {
    await lab.down({quiet: true})
    lab.releaseLabLock()
  }
  const results = Object.fromEntries(runModes.map((m) => [m, Object.fromEntries(kinds.map((k) => [k, summarize(runs[m][k])]))]))
  // the budget: client outage <= keepalived alone + 50 ms (same kind, same run)
  const vsBaseline = {}
  for (const m of runModes.filter((x) => x !== 'baseline')) {
    if (!results.baseline) break
    vsBaseline[m] = Object.fromEntries(kinds.map((k) => {
      const a = results[m][k].outageMs ?? null
      const b = results.baseline[k].outageMs ?? null
      return [k, {outageDeltaMs: a !== null && b !== null ? +(a - b).toFixed(1) : null, withinBudget: a !== null && b !== null ? a - b <= 50 : false}]
    }))
  }
  printTable(results, kinds)
  const brief = (r) => ({from: r.from, outageMs: r.outageMs, vipMs: r.vipMs, ruleMs: r.ruleMs, oldRuleRemovedMs: r.oldRuleRemovedMs, tcp: r.tcpSurvived, tcpError: r.tcpError ?? undefined, lease: r.lease?.kept, splitBrain: r.splitBrain.now || undefined, restoredTookOver: r.restoredTookOver || undefined, preflightRetry: r.preflightRetry || undefined})
  return {n, advertInt, conntrackd, wanInputDrop, link, kinds, seconds: Math.round((Date.now() - started) / 1000), skipped, errors, results, vsBaseline, runs: Object.fromEntries(runModes.map((m) => [m, Object.fromEntries(kinds.map((k) => [k, runs[m][k].map(brief)]))]))}
}

function printTable(results, kinds) {
  const rows = [['mode', 'kind', 'outage ms', 'VIP ms', 'rule ms', 'rule-VIP', 'TCP', 'lease', 'split-brain after']]
  for (const [mode, byKind] of Object.entries(results)) {
    for (const k of kinds) {
      const s = byKind[k]
      if (s.n === 0) { rows.push([mode, k, 'no run', '', '', '', '', '', '']); continue }
      rows.push([mode, k, s.recovered === `${s.n}/${s.n}` ? String(s.outageMs) : `${s.outageMs} (${s.recovered} recovered)`, String(s.vipMs), String(s.ruleMs), String(s.ruleAfterVipMs), s.tcpSurvived, s.leaseKept, s.splitBrainAfter])
    }
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  for (const r of rows) process.stderr.write(r.map((c, i) => c.padEnd(w[i])).join('  ') + '\n')
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  bench().then((r) => process.stdout.write(JSON.stringify(r, null, 2) + '\n'), (e) => { console.error(e); process.exitCode = 1 })
}
