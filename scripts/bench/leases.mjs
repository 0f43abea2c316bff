// Key `leases`: `ha-tool leases merge` of two 100k-lease files against `sort -u` over the same two
// files (the usual recipe, which gets the merge wrong), timed side by side by timer.mjs; both write
// their output to a file. Budget: ratio <= 1.5. Also the hook-to-peer replication latency: from
// dnsmasq running `leases hook add` on one node to the lease being in the other node's file, over a
// real sshd between two namespaces (measured by test/integration/leases/latency.ts under tsx).
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
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

/** The same lease held by another client: the MAC's last byte and the client id's changed. */
const otherClient = (line) => line.replace(/(:[0-9a-f]{2}:)0a( 10\.)/, '$10b$2').replace(/:0a$/, ':0b')

/** n DHCPv6 leases, the same clients on both peers (file i renews half of them later). */
function ipv6Leases(n, i) {
  let out = ''
  for (let k = 0; k < n; k++) out += `${1_900_000_000 + k + (i === 1 && k % 2 ? 600 : 0)} ${k + 1} fd00::${k.toString(16)} * 00:01:00:01:${(k >> 8).toString(16).padStart(2, '0')}:${(k & 255).toString(16).padStart(2, '0')}\n`
  return out
}

export async function bench() {
  const dir = mkdtempSync(join(tmpdir(), 'ha-tool-bench-leases-'))
  try {
    const [a, b] = leaseFiles(100_000).map((text, i) => {
      const file = join(dir, `${'ab'[i]}.leases`)
      writeFileSync(file, text)
      return file
    })
    // Variants of the same files: plus 1% DHCPv6 leases (merged on their own, after the IPv4 ones);
    // and with 1% of the peer's addresses held by another client, as after a split brain (pairs of
    // clients at an address, which the dense merge settles as the general one would).
    const variant = (name, edit) => [a, b].map((file, i) => {
      const out = join(dir, `${'ab'[i]}-${name}.leases`)
      writeFileSync(out, edit(readFileSync(file, 'latin1'), i), 'latin1')
      return out
    })
    const [a6, b6] = variant('v6', (text, i) => text + ipv6Leases(1000, i))
    let k = 0
    const [ac, bc] = variant('conflict', (text, i) => (i === 0 ? text : text.replace(/^.*$/gm, (line) => (++k % 100 === 0 ? otherClient(line) : line))))
    // After a long split brain: every address held by a different client on each side.
    const [ax, bx] = variant('split', (text, i) => (i === 0 ? text : text.replace(/^.*$/gm, otherClient)))
    // Every client of the peer one address further on (each client then holds two addresses): only
    // the general merge (radix sort, greedy pass) can settle that.
    const [am, bm] = variant('moved', (text, i) => (i === 0 ? text : text.replace(/ 10\.(\d+)\.(\d+)\.(\d+) /g, (_, a, b, c) => ` 10.${a}.${b}.${(Number(c) + 1) % 256} `)))
    const commands = {
      'sort -u a b': ['sort', '-u', a, b, '-o', join(dir, 'sorted')],
      'ha-tool leases merge a b': [process.execPath, join(root, 'bin/run.js'), 'leases', 'merge', a, b, '-o', join(dir, 'merged')],
      'ha-tool leases merge a b, plus 1% IPv6': [process.execPath, join(root, 'bin/run.js'), 'leases', 'merge', a6, b6, '-o', join(dir, 'merged-v6')],
      'ha-tool leases merge a b, 1% conflicts (split brain)': [process.execPath, join(root, 'bin/run.js'), 'leases', 'merge', ac, bc, '-o', join(dir, 'merged-conflict')],
      'ha-tool leases merge a b, every address conflicts (split brain)': [process.execPath, join(root, 'bin/run.js'), 'leases', 'merge', ax, bx, '-o', join(dir, 'merged-split')],
      'ha-tool leases merge a b, every client moved (general merge)': [process.execPath, join(root, 'bin/run.js'), 'leases', 'merge', am, bm, '-o', join(dir, 'merged-moved')],
    }
    const expectExit = Object.fromEntries(Object.keys(commands).filter((k) => k.startsWith('ha-tool')).map((k) => [k, 0]))
    const timed = JSON.parse(spawnSync(process.execPath, [join(root, 'scripts/bench/timer.mjs'), JSON.stringify({runs, warmup: 2, commands, expectExit})], {encoding: 'utf8', maxBuffer: 1 << 24}).stdout)
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
      ratios: {
        'leases merge / sort -u': +(timed['ha-tool leases merge a b'].median / timed['sort -u a b'].median).toFixed(3),
        'leases merge plus 1% IPv6 / sort -u': +(timed['ha-tool leases merge a b, plus 1% IPv6'].median / timed['sort -u a b'].median).toFixed(3),
        'leases merge with 1% conflicts (split brain) / sort -u': +(timed['ha-tool leases merge a b, 1% conflicts (split brain)'].median / timed['sort -u a b'].median).toFixed(3),
        'leases merge, every address conflicts (split brain) / sort -u': +(timed['ha-tool leases merge a b, every address conflicts (split brain)'].median / timed['sort -u a b'].median).toFixed(3),
        'leases merge, every client moved (general merge) / sort -u': +(timed['ha-tool leases merge a b, every client moved (general merge)'].median / timed['sort -u a b'].median).toFixed(3),
      },
      budget: {merge_ratio_max: 1.5, conflict_merge_ratio_max: 2},
      hook_to_peer_ms: latency,
      note: 'two files of 100k IPv4 leases (97% of clients on both sides, half of them with different expiries; the dense merge), default locale; variants: 1000 DHCPv6 leases added to each file; 1% of the addresses in the second file given to another client; every address of the second file given to another client (a long split brain; both settled by the dense merge as pairs); every client of the second file moved one address on (the general merge); merge writes atomically with fsync, sort -o does not fsync',
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
