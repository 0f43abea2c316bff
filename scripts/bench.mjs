#!/usr/bin/env node
// `npm run bench`: builds, runs every benchmark in scripts/bench/<key>.mjs (each exports bench()),
// and prints one JSON object keyed by benchmark. Root is needed (namespaces). A benchmark, not a
// test: it never fails on a budget; it reports figures and ratios taken side by side in one run.
// Usage: npm run bench [-- key ...]   (BENCH_RUNS=N for more rounds; BENCH_NO_DOCS=1 leaves docs/benchmarks.md alone)
// The figures also go into docs/benchmarks.md, stamped with date, commit and machine (scripts/bench-report.mjs).
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

const root = new URL('..', import.meta.url).pathname
delete process.env.NODE_EXTRA_CA_CERTS
const b = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], {stdio: 'inherit'})
if (b.status !== 0) process.exit(b.status ?? 1)

const order = ['startup', 'transitions', 'health', 'leases', 'conntrackd', 'failover']
const wanted = process.argv.slice(2)
const keys = (wanted.length > 0 ? wanted : order).filter((k) => existsSync(join(root, `scripts/bench/${k}.mjs`)))
const out = {machine: {node: process.version, cpus: (await import('node:os')).cpus().length}}
const render = {}
for (const key of keys) {
  process.stderr.write(`bench: ${key}...\n`)
  try {
    const mod = await import(join(root, `scripts/bench/${key}.mjs`))
    if (typeof mod.markdown === 'function') render[key] = mod.markdown
    out[key] = await mod.bench()
  } catch (error) {
    out[key] = {error: String(error?.message ?? error)}
  }
}
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
if (!process.env.BENCH_NO_DOCS) {
  const {writeBenchReport} = await import('./bench-report.mjs')
  const results = Object.fromEntries(keys.map((k) => [k, out[k]]))
  const written = writeBenchReport(join(root, 'docs/benchmarks.md'), results, render, wanted.length === 0, root)
  const partial = keys.filter((k) => out[k]?.partial).map((k) => `${k} (${out[k].partial})`)
  process.stderr.write(`bench: docs/benchmarks.md: ${written.length ? `figures of ${written.join(', ')} written` : 'nothing written'}${partial.length ? `; not written, ran only in part: ${partial.join('; ')}` : ''}\n`)
}
