// Key `leases`: `ha-tool leases merge` of two lease files against `sort -u` over the same two files
// (the usual recipe, which gets the merge wrong), timed side by side by timer.mjs; both write their
// output to a file. Budgets (DESIGN.md, issue 16), on two 100k-lease files: <= 1.5 x when both
// peers hold the same clients, <= 2 x when every address is held by another client on each side.
// The other shapes (sizes, DHCPv6 share, how many clients both sides hold, conflicts) are reported
// with their ratios. Every merge's output is checked against a slow reference written here from
// the rules (not the project's code): a fast wrong merge would show as `wrong`, not as a figure.
// Also the hook-to-peer replication latency: from dnsmasq running `leases hook add` on one node to
// the lease being in the other node's file, over a real sshd between two namespaces (measured by
// test/integration/leases/latency.ts under tsx; BENCH_LEASES_NO_LATENCY=1 leaves it out, e.g. to time
// the merge without taking the namespace lock).
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const root = new URL('../..', import.meta.url).pathname
const runs = Number(process.env.BENCH_RUNS ?? 15)
const hex2 = (v) => (v & 255).toString(16).padStart(2, '0')

/**
 * Two peers' files as they look in practice: n clients in one IPv4 range, a share `both` of them on
 * both peers (the rest on one side, split evenly), a share `same` of those with the identical line
 * on both sides (the others renewed at different times: later expiry on the second), in dnsmasq's
 * order (hash chains: not sorted by address). v6: that many DHCPv6 clients besides, after a `duid`
 * line, as dnsmasq writes them (IAIDs, some temporary addresses, some without a DUID).
 * A few leases never expire (0) and a few have expired (the merge drops them).
 */
export function leaseFiles(n, seed = 1, {both = 0.94, same = 0.5, v6 = 0} = {}) {
  let s = seed
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32)
  const base = 1_900_000_000
  const lines = [[], []]
  const sides = (line0, line1) => {
    const r = rnd()
    if (r < both) {
      lines[0].push(line0)
      lines[1].push(rnd() < same ? line0 : line1)
    } else lines[r < both + (1 - both) / 2 ? 0 : 1].push(line0)
  }
  const expiry = () => {
    const r = rnd()
    return r < 0.002 ? 0 : r < 0.004 ? 1_000_000_000 + Math.floor(rnd() * 1000) : base + Math.floor(rnd() * 86400)
  }
  const step = n > 7919 && n % 7919 !== 0 ? 7919 : 1
  for (let i = 0; i < n; i++) {
    const k = (i * step) % n
    const mac = `52:54:${hex2(k >> 16)}:${hex2(k >> 8)}:${hex2(k)}:0a`
    const ip = `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`
    const host = rnd() < 0.3 ? '*' : `host-${k}`
    const cid = rnd() < 0.5 ? '*' : `01:${mac}`
    const e0 = expiry()
    const e1 = e0 === 0 ? 0 : e0 + 1 + Math.floor(rnd() * 3600)
    sides(`${e0} ${mac} ${ip} ${host} ${cid}\n`, `${e1} ${mac} ${ip} ${host} ${cid}\n`)
  }
  const v4 = lines.map((l) => l.length)
  for (let i = 0; i < v6; i++) {
    const k = (i * 7919) % v6
    const ia = rnd() < 0.1 ? `T${k + 1}` : String(k + 1)
    const duid = rnd() < 0.05 ? '*' : `00:01:00:01:${hex2(k >> 16)}:${hex2(k >> 8)}:${hex2(k)}:aa`
    const ip = `fd00:${(k >> 16).toString(16)}::${(k & 0xffff).toString(16)}`
    const e0 = expiry()
    const e1 = e0 === 0 ? 0 : e0 + 1 + Math.floor(rnd() * 3600)
    sides(`${e0} ${ia} ${ip} * ${duid}\n`, `${e1} ${ia} ${ip} * ${duid}\n`)
  }
  return lines.map((l, f) => (v6 > 0 ? [...l.slice(0, v4[f]), 'duid 00:01:00:01:2c:aa:bb:cc:00:00:5e:00:53:01\n', ...l.slice(v4[f])] : l).join(''))
}

/** The same lease held by another client: the MAC's last byte and the client id's changed. */
const otherClient = (line) => line.replace(/(:[0-9a-f]{2}:)0a( 10\.)/, '$10b$2').replace(/:0a$/, ':0b')

const expand6 = (ip) => {
  const [head, tail = ''] = ip.split('::')
  const h = head ? head.split(':') : []
  const t = ip.includes('::') ? (tail ? tail.split(':') : []) : []
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h
  return groups.map((g) => g.padStart(4, '0').toLowerCase()).join('')
}

/**
 * The merge's rules the slow, obvious way (docs/leases.md): expired leases go; every remaining
 * lease ranked by expiry (0 = never, first), ties by the greater line; each taken when neither its
 * address nor its client in its subnet (/24, /64: no config) is taken yet. Output: IPv4 by
 * address, the first input's `duid` line, IPv6 by address.
 */
export function referenceMerge(texts, now) {
  const all = []
  let duid
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (line === '') continue
      const f = line.split(' ')
      if (f[0] === 'duid') {
        duid ??= line
        continue
      }
      const expiry = Number(f[0])
      if (expiry !== 0 && expiry <= now) continue
      const v6 = f[2].includes(':')
      const client = v6 ? (f[4] === '*' ? `a:${expand6(f[2])}` : `d:${f[4].toLowerCase()}|${f[1]}`) : f[4] === '*' ? `m:${f[1].toLowerCase()}` : `c:${f[4].toLowerCase()}`
      const addr = v6 ? expand6(f[2]) : f[2].split('.').reduce((a, o) => a * 256 + Number(o), 0)
      const subnet = v6 ? `6:${addr.slice(0, 16)}` : `4:${Math.floor(addr / 256)}`
      all.push({line, rank: expiry === 0 ? Infinity : expiry, v6, addr, key: `${v6 ? 6 : 4}:${addr}`, client: `${client}@${subnet}`})
    }
  }
  all.sort((a, b) => b.rank - a.rank || (a.line < b.line ? 1 : a.line > b.line ? -1 : 0))
  const addrs = new Set()
  const clients = new Set()
  const kept = all.filter((l) => {
    if (addrs.has(l.key) || clients.has(l.client)) return false
    addrs.add(l.key)
    clients.add(l.client)
    return true
  })
  const v4 = kept.filter((l) => !l.v6).sort((a, b) => a.addr - b.addr)
  const v6 = kept.filter((l) => l.v6).sort((a, b) => (a.addr < b.addr ? -1 : 1))
  return [...v4.map((l) => `${l.line}\n`), duid === undefined ? '' : `${duid}\n`, ...v6.map((l) => `${l.line}\n`)].join('')
}

export async function bench() {
  const dir = mkdtempSync(join(tmpdir(), 'ha-tool-bench-leases-'))
  try {
    const write = (name, texts) => texts.map((text, i) => {
      const file = join(dir, `${name}-${'ab'[i]}.leases`)
      writeFileSync(file, text, 'latin1')
      return file
    })
    const healthy = leaseFiles(100_000)
    const secondEdited = (edit) => [healthy[0], edit(healthy[1])]
    let k = 0
    // name: [files, budget or undefined, what it is]
    const cases = {
      healthy: [write('healthy', healthy), 1.5, '2 x 100k IPv4: 94% of the clients on both peers, half of those renewed later on one'],
      'healthy, 20% DHCPv6': [write('v6', leaseFiles(80_000, 2, {v6: 20_000})), undefined, '2 x 100k: 80k IPv4 and 20k DHCPv6 clients (duid line, IAIDs, temporary addresses)'],
      'healthy, 60% on both, 90% identical': [write('overlap', leaseFiles(100_000, 3, {both: 0.6, same: 0.9})), undefined, 'other duplicate ratios: 60% of the clients on both peers, 90% of those identical'],
      'healthy, 2 x 20k': [write('small', leaseFiles(20_000, 4)), undefined, 'a smaller LAN'],
      'healthy, 2 x 300k': [write('large', leaseFiles(300_000, 5, {v6: 0})), undefined, 'a larger one (a /13 of IPv4 leases)'],
      'every address conflicts (split brain)': [write('split', secondEdited((t) => t.replace(/^.*$/gm, otherClient))), 2, 'the healthy files, every address of the second held by another client (a long split brain)'],
      '1% conflicts (split brain)': [write('conflict', secondEdited((t) => t.replace(/^.*$/gm, (line) => (++k % 100 === 0 ? otherClient(line) : line)))), undefined, '1% of the second file\'s addresses held by another client'],
      'every client moved (general merge)': [write('moved', secondEdited((t) => t.replace(/ 10\.(\d+)\.(\d+)\.(\d+) /g, (_, a, b, c) => ` 10.${a}.${b}.${(Number(c) + 1) % 256} `))), undefined, 'every client of the second file one address on: each holds two, only the general merge settles that'],
    }
    const commands = {}
    const pairs = new Map() // sort command per distinct pair of files
    for (const [name, [[a, b]]] of Object.entries(cases)) {
      const sortName = `sort -u (${name})`
      commands[sortName] = ['sort', '-u', a, b, '-o', join(dir, `sorted-${Object.keys(commands).length}`)]
      pairs.set(name, sortName)
      commands[`merge (${name})`] = [process.execPath, join(root, 'bin/run.js'), 'leases', 'merge', a, b, '-o', join(dir, `merged-${name.replace(/\W+/g, '_')}`)]
    }
    const expectExit = Object.fromEntries(Object.keys(commands).filter((c) => c.startsWith('merge')).map((c) => [c, 0]))
    const t = spawnSync(process.execPath, [join(root, 'scripts/bench/timer.mjs'), JSON.stringify({runs, warmup: 2, commands, expectExit})], {encoding: 'utf8', maxBuffer: 1 << 24})
    if (t.status !== 0) throw new Error(`timer: ${t.stderr.trim().split('\n').pop()}`)
    const timed = JSON.parse(t.stdout)
    // Correctness, once per case, outside the timing: the output of the last timed run.
    const now = Math.floor(Date.now() / 1000)
    const output = {}
    for (const [name, [files]] of Object.entries(cases)) {
      const got = readFileSync(join(dir, `merged-${name.replace(/\W+/g, '_')}`), 'latin1')
      const want = referenceMerge(files.map((f) => readFileSync(f, 'latin1')), now)
      output[name] = got === want ? `right (${want.split('\n').length - 1} lines, as the reference)` : `WRONG: ${firstDifference(got, want)}`
    }
    let latency = {skipped: 'BENCH_LEASES_NO_LATENCY=1 (it needs network namespaces)'}
    if (!process.env.BENCH_LEASES_NO_LATENCY) {
      const lat = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/integration/leases/latency.ts')], {encoding: 'utf8', cwd: root, timeout: 120_000})
      try {
        latency = JSON.parse(lat.stdout)
      } catch {
        latency = {error: (lat.stderr || lat.stdout || String(lat.error)).trim().split('\n').pop()}
      }
    }
    const ratio = (name) => +(timed[`merge (${name})`].median / timed[pairs.get(name)].median).toFixed(3)
    return {
      runs,
      medians_ms: Object.fromEntries(Object.entries(timed).map(([c, v]) => [c, v.median])),
      // The machine is shared: the spread says how far one median can be trusted.
      p10_p90_ms: Object.fromEntries(Object.entries(timed).map(([c, v]) => [c, [v.p10, v.p90]])),
      ratios: Object.fromEntries(Object.keys(cases).map((name) => [`merge / sort -u: ${name}`, ratio(name)])),
      budget: Object.fromEntries(Object.entries(cases).filter(([, c]) => c[1] !== undefined).map(([name, c]) => [name, {max: c[1], ratio: ratio(name), within: ratio(name) <= c[1]}])),
      output,
      hook_to_peer_ms: latency,
      cases: Object.fromEntries(Object.entries(cases).map(([name, c]) => [name, c[2]])),
      note: 'each ratio against sort -u over the same two files, timed in the same rounds; default locale; the merge writes atomically with fsync, sort -o does not fsync; output checked against a reference written from the rules in this file',
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

function firstDifference(got, want) {
  const g = got.split('\n')
  const w = want.split('\n')
  for (let i = 0; i < Math.max(g.length, w.length); i++) {
    if (g[i] !== w[i]) return `line ${i + 1}: got ${JSON.stringify(g[i] ?? '(end)')}, want ${JSON.stringify(w[i] ?? '(end)')} (${g.length - 1} lines, want ${w.length - 1})`
  }
  return 'same lines'
}
