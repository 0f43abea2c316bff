// Key `startup`: how much a hot command costs as keepalived runs it, against a bare Node script
// that spawns the same children. Everything is timed side by side by timer.mjs, inside a
// throw-away namespace (notify touches rules and nftables), NODE_EXTRA_CA_CERTS unset.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {arch, tmpdir} from 'node:os'
import {join} from 'node:path'
import {sh, withWanNetns} from './netns.mjs'

const root = new URL('../..', import.meta.url).pathname
const runs = Number(process.env.BENCH_RUNS ?? 40)

// The single executable from `npm run package` (rebuilt here from the current build), timed beside the Node program.
const SEA = join(root, `dist/package/ha-tool-linux-${arch()}`)
// A cache directory nobody can create: no code cache is read from or written to /run, as on the
// first run after a boot or an upgrade (the Node program still has the caches made at install).
// (Not under /proc: Node 20's recursive mkdir loops forever there.)
const NO_CACHE = {HA_TOOL_CACHE_DIR: '/dev/null/ha-tool-no-cache'}
// BENCH_SEA_COMPARE=FILE: another single executable (e.g. one built from main) timed in the same rounds.
const OTHER = process.env.BENCH_SEA_COMPARE

export async function bench() {
  // Always rebuilt from this tree's build: an executable left from an older build would time old code.
  {
    const r = spawnSync(process.execPath, [join(root, 'scripts/package.mjs'), '--no-build', '--sea-only'], {stdio: ['ignore', 'ignore', 'inherit']})
    if (r.status !== 0) throw new Error('startup: building the single executable failed')
    // The Node program as scripts/install lays it down: with the code caches made at install beside its bundles.
    const t = spawnSync(process.execPath, [join(root, 'scripts/train-code-cache.mjs')], {stdio: ['ignore', 'ignore', 'inherit']})
    if (t.status !== 0) throw new Error('startup: making the installed code caches failed')
  }
  const dir = mkdtempSync(join(tmpdir(), 'ha-tool-bench-'))
  // state.dir lives in /run on a real node: tmpfs, like /dev/shm.
  const shm = mkdtempSync('/dev/shm/ha-tool-bench-')
  try {
    return await withWanNetns('hat-bench-startup', async (ns) => {
      const config = (silence) => {
        const file = join(dir, `c-${silence}.toml`)
        writeFileSync(file, `[wan]\ninterface = "wan0"\nsilence = "${silence}"\n[state]\ndir = "${join(shm, `state-${silence}`)}"\n[keepalived]\ndbus = false\n`)
        return file
      }
      const cfg = config('nftables')
      const cfgNone = config('none')
      const bin = join(root, 'bin/run.js')
      const inNs = (argv) => sh(['ip', 'netns', 'exec', ns, ...argv])
      const time = (commands, expectExit) => JSON.parse(inNs([process.execPath, join(root, 'scripts/bench/timer.mjs'), JSON.stringify({runs, warmup: 3, commands, expectExit})]))
      const floors = {
        'node -e 0': [process.execPath, '-e', '0'],
        'floor: node + ping once': [join(root, 'scripts/bench/floors/ping-once.cjs'), '127.0.0.1'],
        'floor: node + ip -j rule show once': [join(root, 'scripts/bench/floors/ip-rule-once.cjs')],
        // In its default mode (keep-up, nftables silence, wan.ipv6) notify's children are nft, ip and ip -6.
        'floor: node + nft + ip + ip -6 once': [join(root, 'scripts/bench/floors/ip-nft-once.cjs')],
      }
      const notify = (c, role) => [bin, 'notify', '--config', c, 'INSTANCE', 'VI_1', role, '100']
      // Converge once, so the timed runs find nothing to do.
      inNs(notify(cfg, 'BACKUP'))
      const debugNotify = [bin, 'notify', '--log-level', 'debug', '--config', cfg, 'INSTANCE', 'VI_1', 'BACKUP', '100']
      // Three groups, each timed side by side with its own floors: start-up and check; notify as
      // BACKUP; notify as MASTER (one node can be converged to one role at a time).
      const general = time({
        'node -e 0': floors['node -e 0'],
        'floor: node + ping once': floors['floor: node + ping once'],
        'ha-tool --version': [bin, '--version'],
        'check 127.0.0.1': [bin, 'check', '--target', '127.0.0.1'],
        'check 127.0.0.1 (no code cache)': {argv: [bin, 'check', '--target', '127.0.0.1'], env: {HA_TOOL_CODE_CACHE: '0'}},
        'check 127.0.0.1 (first run: no cache in /run yet)': {argv: [bin, 'check', '--target', '127.0.0.1'], env: NO_CACHE},
        'single executable: --version': [SEA, '--version'],
        'single executable: check 127.0.0.1': [SEA, 'check', '--target', '127.0.0.1'],
        'single executable: check 127.0.0.1 (first run: no cache in /run yet)': {argv: [SEA, 'check', '--target', '127.0.0.1'], env: NO_CACHE},
        'notify BACKUP (converged, --log-level debug: pino loaded)': debugNotify,
        ...(OTHER ? {'other executable: --version': [OTHER, '--version'], 'other executable: check 127.0.0.1': [OTHER, 'check', '--target', '127.0.0.1']} : {}),
      }, {'check 127.0.0.1': 0, 'single executable: check 127.0.0.1': 0})
      const backup = time({
        'floor: node + ip -j rule show once': floors['floor: node + ip -j rule show once'],
        'floor: node + nft + ip + ip -6 once': floors['floor: node + nft + ip + ip -6 once'],
        'notify BACKUP (converged, keep-up + nftables silence)': notify(cfg, 'BACKUP'),
      }, {'notify BACKUP (converged, keep-up + nftables silence)': 0})
      // What reading, parsing and validating the config costs inside the hot path (its own debug line).
      const configMs = []
      for (let i = 0; i < 10; i++) {
        const r = spawnSync('ip', ['netns', 'exec', ns, ...debugNotify], {encoding: 'utf8'})
        const m = /"configMs":([\d.]+)/.exec(r.stderr)
        if (m) configMs.push(Number(m[1]))
      }
      configMs.sort((a, b) => a - b)
      inNs(notify(cfg, 'MASTER'))
      inNs(notify(cfgNone, 'MASTER'))
      const master = time({
        'floor: node + ip -j rule show once': floors['floor: node + ip -j rule show once'],
        'floor: node + nft + ip + ip -6 once': floors['floor: node + nft + ip + ip -6 once'],
        'notify MASTER (converged, keep-up + nftables silence)': notify(cfg, 'MASTER'),
        'notify MASTER (converged, silence = none)': notify(cfgNone, 'MASTER'),
        // The first run after a boot or an upgrade, before /run has a code cache (bin/run.js: the one made at install).
        'notify MASTER (converged, keep-up + nftables silence, no code cache)': {argv: notify(cfg, 'MASTER'), env: {HA_TOOL_CODE_CACHE: '0'}},
        'notify MASTER (converged, keep-up + nftables silence, first run: no cache in /run yet)': {argv: notify(cfg, 'MASTER'), env: NO_CACHE},
        'single executable: notify MASTER (converged, keep-up + nftables silence)': [SEA, ...notify(cfg, 'MASTER').slice(1)],
        'single executable: notify MASTER (first run: no cache in /run yet)': {argv: [SEA, ...notify(cfg, 'MASTER').slice(1)], env: NO_CACHE},
        ...(OTHER ? {'other executable: notify MASTER (converged, keep-up + nftables silence)': [OTHER, ...notify(cfg, 'MASTER').slice(1)]} : {}),
      })
      const t = {...general, ...backup, ...master}
      const ipFloor = (backup['floor: node + ip -j rule show once'].median + master['floor: node + ip -j rule show once'].median) / 2
      const ratio = (a, b) => +(a / b).toFixed(3)
      return {
        runs,
        medians_ms: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.median])),
        ratios: {
          'ha-tool --version / node -e 0': ratio(t['ha-tool --version'].median, t['node -e 0'].median),
          'check / floor(ping)': ratio(t['check 127.0.0.1'].median, t['floor: node + ping once'].median),
          'notify BACKUP converged / floor(ip rule)': ratio(backup['notify BACKUP (converged, keep-up + nftables silence)'].median, backup['floor: node + ip -j rule show once'].median),
          'notify MASTER converged / floor(ip rule)': ratio(master['notify MASTER (converged, keep-up + nftables silence)'].median, master['floor: node + ip -j rule show once'].median),
          'notify MASTER converged, silence none / floor(ip rule)': ratio(master['notify MASTER (converged, silence = none)'].median, master['floor: node + ip -j rule show once'].median),
          // The same children as notify in its default mode (DESIGN.md section 5: "spawns the same children").
          'notify BACKUP converged / floor(nft + ip + ip -6)': ratio(backup['notify BACKUP (converged, keep-up + nftables silence)'].median, backup['floor: node + nft + ip + ip -6 once'].median),
          'notify MASTER converged / floor(nft + ip + ip -6)': ratio(master['notify MASTER (converged, keep-up + nftables silence)'].median, master['floor: node + nft + ip + ip -6 once'].median),
          'notify MASTER converged, no code cache / floor(ip rule)': ratio(master['notify MASTER (converged, keep-up + nftables silence, no code cache)'].median, master['floor: node + ip -j rule show once'].median),
          'notify MASTER converged, no code cache at all / floor(nft + ip + ip -6)': ratio(master['notify MASTER (converged, keep-up + nftables silence, no code cache)'].median, master['floor: node + nft + ip + ip -6 once'].median),
          'check, no code cache / floor(ping)': ratio(t['check 127.0.0.1 (no code cache)'].median, t['floor: node + ping once'].median),
          'check, first run (no cache in /run yet) / floor(ping)': ratio(t['check 127.0.0.1 (first run: no cache in /run yet)'].median, t['floor: node + ping once'].median),
          'notify MASTER, first run (no cache in /run yet) / floor(nft + ip + ip -6)': ratio(master['notify MASTER (converged, keep-up + nftables silence, first run: no cache in /run yet)'].median, master['floor: node + nft + ip + ip -6 once'].median),
          // issue 17's goal: the single executable at <= 1.1 x the floor on every run, the first included.
          'single executable: check / floor(ping)': ratio(t['single executable: check 127.0.0.1'].median, t['floor: node + ping once'].median),
          'single executable: check, first run / floor(ping)': ratio(t['single executable: check 127.0.0.1 (first run: no cache in /run yet)'].median, t['floor: node + ping once'].median),
          'single executable: notify MASTER / floor(nft + ip + ip -6)': ratio(master['single executable: notify MASTER (converged, keep-up + nftables silence)'].median, master['floor: node + nft + ip + ip -6 once'].median),
          'single executable: notify MASTER, first run / floor(nft + ip + ip -6)': ratio(master['single executable: notify MASTER (first run: no cache in /run yet)'].median, master['floor: node + nft + ip + ip -6 once'].median),
          'single executable: notify MASTER / floor(ip rule)': ratio(master['single executable: notify MASTER (converged, keep-up + nftables silence)'].median, master['floor: node + ip -j rule show once'].median),
          'single executable: --version / node -e 0': ratio(t['single executable: --version'].median, t['node -e 0'].median),
          ...(OTHER ? {
            [`other executable (${OTHER}): check / floor(ping)`]: ratio(t['other executable: check 127.0.0.1'].median, t['floor: node + ping once'].median),
            [`other executable (${OTHER}): notify MASTER / floor(nft + ip + ip -6)`]: ratio(master['other executable: notify MASTER (converged, keep-up + nftables silence)'].median, master['floor: node + nft + ip + ip -6 once'].median),
            [`other executable (${OTHER}): --version / node -e 0`]: ratio(t['other executable: --version'].median, t['node -e 0'].median),
          } : {}),
        },
        config_load_ms_in_hot_path: configMs.length ? configMs[Math.floor((configMs.length - 1) / 2)] : null,
        single_executable: `${SEA}: the same code with its V8 code caches inside (made at build time by running the commands); "first run" rows use an uncreatable cache dir`,
        code_cache: 'bin/run.js loads the hot bundles with the V8 code caches made at install (scripts/train-code-cache.mjs, beside the bundles), else with one it writes under /run/ha-tool/.config-cache after a run; the "first run" rows have only the former, the "no code cache" rows neither (HA_TOOL_CODE_CACHE=0)',
        logging: 'notify logs nothing at info when converged, so pino is not loaded; the --log-level debug row shows what loading it costs',
        budget: {hot_path_ratio_max: 1.3},
        note: `floor(ip rule) median ${ipFloor.toFixed(2)} ms; timed inside netns ${ns}, every command run once per round, ${runs} rounds`,
      }
    })
  } finally {
    rmSync(dir, {recursive: true, force: true})
    rmSync(shm, {recursive: true, force: true})
  }
}
