// Key `hardening` (issue 15): what the root-only lock costs on the hot path, as `notify MASTER`
// (converged) runs under keepalived, side by side in one run: this tree, and the tree in
// $BENCH_BASE (default /work/main) when it has a build, against the node + `ip` floor.
// Usage: flock /tmp/hat-ns.lock npm run bench -- hardening
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {sh, withWanNetns} from './netns.mjs'

const root = new URL('../..', import.meta.url).pathname
const runs = Number(process.env.BENCH_RUNS ?? 40)
const base = process.env.BENCH_BASE ?? '/work/main'

export async function bench() {
  const dir = mkdtempSync(join(tmpdir(), 'ha-tool-bench-'))
  const shm = mkdtempSync('/dev/shm/ha-tool-bench-')
  try {
    return await withWanNetns('hat-bench-harden', async (ns) => {
      const cfg = join(dir, 'c.toml')
      writeFileSync(cfg, `[wan]\ninterface = "wan0"\n[state]\ndir = "${join(shm, 'state')}"\n[keepalived]\ndbus = false\n`)
      const inNs = (argv) => sh(['ip', 'netns', 'exec', ns, ...argv])
      const notify = (bin) => [bin, 'notify', '--config', cfg, 'INSTANCE', 'VI_1', 'MASTER', '100']
      const bin = join(root, 'bin/run.js')
      inNs(notify(bin))
      const commands = {
        'notify MASTER': notify(bin),
        'floor: node + ip -j rule show once': [join(root, 'scripts/bench/floors/ip-rule-once.cjs')],
      }
      const baseBin = join(base, 'bin/run.js')
      if (existsSync(join(base, 'dist/hot/notify.cjs'))) {
        inNs(notify(baseBin))
        commands[`${base}: notify MASTER`] = notify(baseBin)
      }
      const t = JSON.parse(inNs([process.execPath, join(root, 'scripts/bench/timer.mjs'), JSON.stringify({runs, warmup: 3, commands})]))
      const floor = t['floor: node + ip -j rule show once'].median
      const ratios = Object.fromEntries(Object.entries(t).filter(([k]) => !k.startsWith('floor')).map(([k, v]) => [`${k} / floor`, +(v.median / floor).toFixed(3)]))
      return {runs, times: t, ratios}
    })
  } finally {
    rmSync(dir, {recursive: true, force: true})
    rmSync(shm, {recursive: true, force: true})
  }
}
