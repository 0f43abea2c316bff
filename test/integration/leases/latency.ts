// Hook-to-peer replication latency (for scripts/bench/leases.mjs, not a test): `leases hook add` on
// node a, as dnsmasq would run it, until the lease is in node b's file; a real sshd between two
// namespaces. Prints JSON {median, p90, runs} in ms.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {LeasePair} from './pair.js'

const runs = Number(process.env.BENCH_LATENCY_RUNS ?? 10)
const dir = mkdtempSync(join(tmpdir(), 'ha-tool-h6-lat-'))
const lab = new LeasePair(dir, `l${process.pid % 10000}`)
try {
  lab.setup()
  await lab.startSshd(lab.b)
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const ip = `192.168.60.${100 + i}`
    const exp = Math.floor(Date.now() / 1000) + 600
    const t0 = performance.now()
    const r = lab.ha(lab.a, ['leases', 'hook', 'add', `52:54:00:00:01:${(i + 16).toString(16)}`, ip, `h${i}`], {env: {...process.env, DNSMASQ_LEASE_EXPIRES: String(exp)}})
    const ms = performance.now() - t0
    if (r.code !== 0 || !readFileSync(lab.b.leases, 'latin1').includes(` ${ip} `)) throw new Error(`hook run ${i} did not replicate: ${r.stderr}`)
    times.push(ms)
  }
  times.sort((x, y) => x - y)
  const q = (p: number) => +times[Math.min(times.length - 1, Math.floor(p * (times.length - 1) + 0.5))].toFixed(1)
  process.stdout.write(`${JSON.stringify({median: q(0.5), p90: q(0.9), runs})}\n`)
} finally {
  await lab.stop()
  rmSync(dir, {recursive: true, force: true})
}
