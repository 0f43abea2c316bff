#!/usr/bin/env node
// Times command lines side by side: every round runs each command once, in turn, so drift and
// noise hit all of them alike. Input: JSON {runs, warmup, commands: {name: argv}} as argv[2].
// A command is an argv, or {argv, env} for extra environment. Output: JSON {name: {median, p10, p90, runs}} in ms. Runs where it is started (e.g. inside a netns).
import {spawnSync} from 'node:child_process'

const spec = JSON.parse(process.argv[2])
const env = {...process.env}
delete env.NODE_EXTRA_CA_CERTS
const times = Object.fromEntries(Object.keys(spec.commands).map((k) => [k, []]))
for (let round = 0; round < spec.warmup + spec.runs; round++) {
  for (const [name, cmd] of Object.entries(spec.commands)) {
    const argv = Array.isArray(cmd) ? cmd : cmd.argv
    const cmdEnv = Array.isArray(cmd) ? env : {...env, ...cmd.env}
    const t0 = process.hrtime.bigint()
    const r = spawnSync(argv[0], argv.slice(1), {stdio: ['ignore', 'ignore', 'pipe'], env: cmdEnv})
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    if (r.error) throw r.error
    if (spec.expectExit && spec.expectExit[name] !== undefined && r.status !== spec.expectExit[name]) {
      throw new Error(`${name}: exit ${r.status}, expected ${spec.expectExit[name]}: ${r.stderr}`)
    }
    if (round >= spec.warmup) times[name].push(ms)
  }
}
const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))] }
const out = {}
for (const [name, xs] of Object.entries(times)) out[name] = {median: +q(xs, 0.5).toFixed(2), p10: +q(xs, 0.1).toFixed(2), p90: +q(xs, 0.9).toFixed(2), runs: xs.length}
process.stdout.write(JSON.stringify(out))
