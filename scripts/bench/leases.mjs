// Key `leases`: `ha-tool leases merge` of two 100k-lease files against `sort -u` over the same two
// files (the usual recipe, which gets the merge wrong), timed side by side by timer.mjs; both write
// their output to a file. Budget: ratio <= 1.5. Also the hook-to-peer replication latency: from
// dnsmasq running `leases hook add` on one node to the lease being in the other node's file, over a
// real sshd between two namespaces (measured by test/integration/leases/latency.ts under tsx).
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const root = new URL('../..', import.meta.url).pathname
const runs = Number(process.env.BENCH_RUNS ?? 15)

/**
 * Two peers' files as they look in practice: mostly the same clients, renewed at different times
 * (different expiries), a few only on one side, in dnsmasq's order (not sorted by address).
 */
export function leaseFiles(n, seed = 1) {
  let s = seed
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32)
  const base = 1_900_000_000
  const lines = [[], []]
  for (let i = 0; i < n; i++) {
    const k = (i * 7919) % n
    const mac = `52:54:${((k >> 16) & 255).toString(16).padStart(2, '0')}:${((k >> 8) & 255).toString(16).padStart(2, '0')}:${(k & 255).toString(16).padStart(2, '0')}:0a`
    const ip = `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`
    const host = rnd() < 0.3 ? '*' : `host-${k}`
    const cid = rnd() < 0.5 ? '*' : `01:${mac}`
    const only = rnd()
    const e0 = base + Math.floor(rnd() * 86400)
    if (only > 0.03) lines[0].push(`${e0} ${mac} ${ip} ${host} ${cid}\n`)
    if (only < 0.97) lines[1].push(`${rnd() < 0.5 ? e0 : e0 + Math.floor(rnd() * 3600)} ${mac} ${ip} ${host} ${cid}\n`)
  }
  return lines.map((l) => l.join(''))
}

export async function bench() {
  const dir = mkdtempSync(join(tmpdir(), 'ha-tool-bench-leases-'))
  try {
    const [a, b] = leaseFiles(100_000).map((text, i) => {
      const file = join(dir, `${'ab'[i]}.leases`)
      writeFileSync(file, text)
      return file
    })
    const commands = {
      'sort -u a b': ['sort', '-u', a, b, '-o', join(dir, 'sorted')],
      'ha-tool leases merge a b': [process.execPath, join(root, 'bin/run.js'), 'leases', 'merge', a, b, '-o', join(dir, 'merged')],
    }
    const timed = JSON.parse(spawnSync(process.execPath, [join(root, 'scripts/bench/timer.mjs'), JSON.stringify({runs, warmup: 2, commands, expectExit: {'ha-tool leases merge a b': 0}})], {encoding: 'utf8', maxBuffer: 1 << 24}).stdout)
    const lat = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/integration/leases/latency.ts')], {encoding: 'utf8', cwd: root, timeout: 120_000})
    let latency
    try {
      latency = JSON.parse(lat.stdout)
    } catch {
      latency = {error: (lat.stderr || lat.stdout || String(lat.error)).trim().split('\n').pop()}
    }
    return {
      runs,
      medians_ms: Object.fromEntries(Object.entries(timed).map(([k, v]) => [k, v.median])),
      // The machine is shared: the spread says how far one median can be trusted.
      p10_p90_ms: Object.fromEntries(Object.entries(timed).map(([k, v]) => [k, [v.p10, v.p90]])),
      ratios: {'leases merge / sort -u': +(timed['ha-tool leases merge a b'].median / timed['sort -u a b'].median).toFixed(3)},
      budget: {merge_ratio_max: 1.5},
      hook_to_peer_ms: latency,
      note: 'two files of 100k leases (97% of clients on both sides, half of them with different expiries), default locale; merge writes atomically with fsync, sort -o does not fsync',
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
