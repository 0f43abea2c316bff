import {checkIdLimits, ID_INPUT, ID_SHIFT} from './candidate-id.js'
import {ClientSet} from './client-set.js'
import {orderByIp} from './ip-order.js'
import {compareLines, copyLines, viewOf} from './line-bytes.js'
import {mergeDense} from './merge-dense.js'
import {checkLeaseMax, type Conflict, emptyReport, listed, type MergeOptions, type MergeReport, type MergeResult, reportExpired, serverDuidLine} from './merge-result.js'
import {DEFAULT_SUBNETS, subnet4Memo, subnet6, type SubnetRule} from './subnets.js'
import {latin1, leaseAt, leaseSpaces, type LeaseTable, R_FAMILY, R_H1, R_H2, R_IP4, R_RANK, R_START, R_LEN, REC} from './table.js'

export type {Conflict, MergeOptions, MergeReport, MergeResult} from './merge-result.js'

/**
 * The semantic merge. Rules: expired leases go; one lease per address and one address per client
 * and subnet (client = client id, else MAC; IPv6: DUID + IAID; subnet: subnets.ts); when two leases compete the later expiry wins
 * (0 = infinite beats all), ties broken by the line's bytes so the result does not depend on input
 * order. That equals taking every lease in that order and keeping it when neither its address nor
 * its client is taken yet; the greedy pass runs only over contested addresses and clients.
 * Output: IPv4 by address, the server DUID line, IPv6 by address.
 */
export function mergeLeaseTables(tables: readonly LeaseTable[], opts: MergeOptions): MergeResult {
  checkIdLimits(tables)
  // The common case first (merge-dense.ts: IPv4 without a sort; it hands the IPv6 leases back
  // here), the general merge when the inputs are not that case.
  const result = (opts.general ? undefined : mergeDense(tables, opts, (v6) => mergeGeneral(v6, opts))) ?? mergeGeneral(tables, opts)
  checkLeaseMax(result.report.leases, opts)
  return result
}

function mergeGeneral(tables: readonly LeaseTable[], opts: MergeOptions): MergeResult {
  const report = emptyReport()
  // Each phase is its own small function: one loop each, so V8 optimizes every loop once, early
  // (a CLI run is cold), instead of re-optimizing one big function phase after phase.
  const C = collect(tables, opts.now, report, opts.subnets ?? DEFAULT_SUBNETS, opts.detail !== false)
  const G = groupOrder(C)
  const S = gather(C, G)
  const expired = report.dropped
  const expiredListed = report.droppedLeases.length
  // Optimistic pass: clients noted per address as they come; when a client turns out to hold two
  // addresses (rare), its first address was already taken as uncontested, so the pass is redone
  // knowing every contested address up front.
  let x = newPass(C, G, S, report, opts)
  let hard = pick(x, undefined, new ClientSet(C.n)) // up to one client per candidate (after a split brain, two per address)
  if (x.restart) {
    Object.assign(report, {added: 0, updated: 0, dropped: expired, addedIps: [], updatedIps: [], droppedLeases: report.droppedLeases.slice(0, expiredListed), conflicts: [], conflicted: 0})
    x = newPass(C, G, S, report, opts)
    hard = pick(x, contestedAddresses(C, G), undefined)
  }
  if (hard) {
    // Contested addresses (two clients on one, a client on two): settled greedily.
    settleContested(hard, x)
    for (const g of hard) {
      if (x.winner[g] !== -1) x.count++
      account(x, g)
    }
  }
  // Which leases changed, as (input, index) pairs: write() puts the output into S's memory.
  const changed = new Int32Array(x.changed.length)
  for (let k = 0; k < changed.length; k++) changed[k] = (S.idx[x.changed[k]] << ID_SHIFT) | S.tab[x.changed[k]]
  const bytes = write(x, serverDuidLine(tables, opts))
  report.leases = x.count
  return {bytes, report, changed: () => Array.from(changed, (id) => leaseAt(tables[id & ID_INPUT], id >>> ID_SHIFT)), path: 'general'}
}

/**
 * The candidates (unexpired leases of every input): IPv4 ones first (0..n4-1), then IPv6, each
 * in file order. A candidate is its input's lease record (table.ts: everything the address-order
 * passes read about it, in one cache line), named by cid = index << 8 | input, so gather()
 * brings them into address order, which is random order in the files, at one cache miss each.
 */
type Cands = {
  tables: readonly LeaseTable[]
  bufs: Uint8Array[]
  /** The same bytes, for reading four at a time. */
  views: DataView[]
  recs: Int32Array[]
  recFs: Float64Array[]
  n: number
  n4: number
  cid: Int32Array
  /** IPv4 address per IPv4 candidate. */
  ip: Uint32Array
  subnets: SubnetRule
  /**
   * Per candidate, the two hashes of its address's subnet, folded (xor) into its client's hashes
   * wherever clients are compared: a client may hold one address per subnet.
   */
  sub1: Int32Array
  sub2: Int32Array
}

/** Candidates in address order: ord[gs[g]..gs[g+1]) is address g's; gkey[g] its key (IPv4 as a number, IPv6 2^32 + rank). */
type Groups = {ord: Int32Array; gs: Int32Array; gkey: Float64Array; ng: number; v6key: Float64Array}

/** Reads each input's records sequentially once; the base file's expired leases are reported. */
function collect(tables: readonly LeaseTable[], now: number, report: MergeReport, subnets: SubnetRule, detail: boolean): Cands {
  let total = 0
  for (const t of tables) total += t.count
  const C: Cands = {
    tables, bufs: tables.map((t) => t.buf), views: tables.map(viewOf),
    recs: tables.map((t) => t.rec), recFs: tables.map((t) => t.recF), n: 0, n4: 0, cid: new Int32Array(total), ip: new Uint32Array(total),
    subnets, sub1: new Int32Array(total), sub2: new Int32Array(total),
  }
  let v6 = 0
  for (let f = 0; f < tables.length; f++) v6 += collectV4(C, f, now, report, detail)
  C.n4 = C.n
  if (v6 > 0) for (let f = 0; f < tables.length; f++) collectV6(C, f, now)
  return C
}

/** Adds input f's unexpired IPv4 leases; returns how many IPv6 ones it has left for collectV6. */
function collectV4(C: Cands, f: number, now: number, report: MergeReport, detail: boolean): number {
  const t = C.tables[f]
  const {rec, recF} = t
  const {ip, cid, sub1, sub2, subnets} = C
  const sub = new Int32Array(2)
  const subnetOf = subnet4Memo(subnets, t.v4Lo, t.v4Hi)
  let c = C.n
  let v6 = 0
  for (let i = 0; i < t.count; i++) {
    const o = i * REC
    if (recF[(o + R_RANK) >> 1] <= now) { // the rank: Infinity for leases that never expire
      if (f === 0) reportExpired(report, t, i, detail)
      continue
    }
    if (rec[o + R_FAMILY] !== 4) {
      v6++
      continue
    }
    const a = rec[o + R_IP4] >>> 0
    subnetOf(a, sub)
    sub1[c] = sub[0]
    sub2[c] = sub[1]
    ip[c] = a
    cid[c++] = (i << ID_SHIFT) | f
  }
  C.n = c
  return v6
}

function collectV6(C: Cands, f: number, now: number): void {
  const t = C.tables[f]
  for (let i = 0; i < t.count; i++) {
    if (t.recF[(i * REC + R_RANK) >> 1] > now && t.rec[i * REC + R_FAMILY] === 6) C.cid[C.n++] = (i << ID_SHIFT) | f
  }
}

/** Candidates sorted by address (IPv4 numerically, then IPv6), grouped by address. */
function groupOrder(C: Cands): Groups {
  const {n, n4} = C
  const gs = new Int32Array(n + 1)
  const gkey = new Float64Array(n)
  const {order, keys} = orderByIp(C.ip.subarray(0, n4))
  let ord = order
  if (n > n4) {
    ord = new Int32Array(n)
    ord.set(order)
  }
  let ng = 0
  for (let k = 0; k < n4; k++) {
    if (k === 0 || keys[k] !== keys[k - 1]) {
      gs[ng] = k
      gkey[ng++] = keys[k]
    }
  }
  const v6key = new Float64Array(n - n4)
  if (n > n4) {
    // Each IPv6 address as four 32-bit words, read from the line's bytes (no string per lease).
    const words = new Uint32Array((n - n4) * 4)
    const sub = new Int32Array(2)
    for (let c = n4; c < n; c++) {
      const t = C.tables[C.cid[c] & ID_INPUT]
      const [, sp2, sp3] = leaseSpaces(t, C.cid[c] >>> ID_SHIFT)
      ipv6Words(t.buf, sp2 + 1, sp3, words, (c - n4) * 4)
      subnet6(C.subnets, words, (c - n4) * 4, sub)
      C.sub1[c] = sub[0]
      C.sub2[c] = sub[1]
    }
    const cmp = (a: number, b: number): number => {
      for (let k = 0; k < 4; k++) if (words[a * 4 + k] !== words[b * 4 + k]) return words[a * 4 + k] < words[b * 4 + k] ? -1 : 1
      return 0
    }
    const v6 = Array.from({length: n - n4}, (_, j) => j)
    v6.sort(cmp) // stable: equal addresses stay in candidate order
    let rank = 0
    for (let k = 0; k < v6.length; k++) {
      const j = v6[k]
      ord[n4 + k] = n4 + j
      if (k === 0 || cmp(j, v6[k - 1]) !== 0) {
        gs[ng] = n4 + k
        gkey[ng++] = 2 ** 32 + ++rank
      }
      v6key[j] = 2 ** 32 + rank
    }
  }
  gs[ng] = n
  return {ord, gs, gkey, ng, v6key}
}

/**
 * The addresses held by a client that holds more than one (those need the greedy pass), or
 * undefined when there is none. One pass in file order over an open-addressing table of clients,
 * 16-byte slots: i32 [0] h1, [1] h2; f64 [1] 0 = empty, -1 = several addresses, else 1 + the
 * key of the one address it holds.
 */
function contestedAddresses(C: Cands, G: Groups): Set<number> | undefined {
  const {n, n4, ip, cid, recs, sub1, sub2} = C
  const {v6key} = G
  let size = 16
  while (size < n * 1.25) size *= 2 // load <= 0.8 even when every candidate is its own client
  const ab = new ArrayBuffer(size * 16)
  const ti = new Int32Array(ab)
  const tf = new Float64Array(ab)
  const mask = size - 1
  let contested: Set<number> | undefined
  for (let c = 0; c < n; c++) {
    const r = recs[cid[c] & ID_INPUT]
    const o = (cid[c] >>> ID_SHIFT) * REC
    const a = r[o + R_H1] ^ sub1[c]
    const b = r[o + R_H2] ^ sub2[c]
    const key = c < n4 ? ip[c] : v6key[c - n4]
    let s = (a ^ (b >>> 7)) & mask
    for (;;) {
      const held = tf[(s << 1) + 1]
      if (held === 0) {
        ti[s << 2] = a
        ti[(s << 2) + 1] = b
        tf[(s << 1) + 1] = key + 1
        break
      }
      if (ti[s << 2] === a && ti[(s << 2) + 1] === b) {
        if (held !== key + 1) {
          contested ??= new Set()
          if (held !== -1) contested.add(held - 1)
          contested.add(key)
          tf[(s << 1) + 1] = -1
        }
        break
      }
      s = (s + 1) & mask
    }
  }
  return contested
}

/**
 * The candidates' data in address order (position p = the p-th candidate in that order), copied
 * from the records in one tight loop: the many independent cache misses overlap there, and every
 * later pass over addresses reads these arrays sequentially.
 */
type Sorted = {rank: Float64Array; h1: Int32Array; h2: Int32Array; start: Int32Array; len: Int32Array; tab: Int32Array; idx: Int32Array}

function gather(C: Cands, G: Groups): Sorted {
  const {n, cid, recs, recFs, sub1, sub2} = C
  const ord = G.ord
  // One buffer, so that write() can put the output there once these are read (32 bytes a candidate).
  const ab = new ArrayBuffer(n * 32)
  const S: Sorted = {
    rank: new Float64Array(ab, 0, n), h1: new Int32Array(ab, 8 * n, n), h2: new Int32Array(ab, 12 * n, n), start: new Int32Array(ab, 16 * n, n),
    len: new Int32Array(ab, 20 * n, n), tab: new Int32Array(ab, 24 * n, n), idx: new Int32Array(ab, 28 * n, n),
  }
  const {rank, h1, h2, start, len, tab, idx} = S
  for (let p = 0; p < n; p++) {
    const c = ord[p]
    const id = cid[c]
    const f = id & ID_INPUT
    const i = id >>> ID_SHIFT
    const o = i * REC
    const r = recs[f]
    rank[p] = recFs[f][(o + R_RANK) >> 1]
    h1[p] = r[o + R_H1] ^ sub1[c] // the client in its subnet (Cands.sub1)
    h2[p] = r[o + R_H2] ^ sub2[c]
    start[p] = r[o + R_START]
    len[p] = r[o + R_LEN]
    tab[p] = f
    idx[p] = i
  }
  return S
}

/** State of the pass over addresses. winner[g] and changed hold positions in address order. */
type Pass = {
  C: Cands
  G: Groups
  S: Sorted
  report: MergeReport
  detail: boolean
  winner: Int32Array
  changed: number[]
  count: number
  restart: boolean
}

function newPass(C: Cands, G: Groups, S: Sorted, report: MergeReport, opts: MergeOptions): Pass {
  return {C, G, S, report, detail: opts.detail !== false, winner: new Int32Array(G.ng).fill(-1), changed: [], count: 0, restart: false}
}

/**
 * One pass in address order: settles and accounts each address none of whose clients holds
 * another address (in its subnet); returns the others (`contested`), left for settleContested.
 * With `clients` (no contested set known yet) it notes each address's clients and stops with
 * x.restart as soon as a client holds two addresses.
 */
function pick(x: Pass, contested: Set<number> | undefined, clients: ClientSet | undefined): number[] | undefined {
  const {G, S, winner} = x
  const {gs, gkey, ng} = G
  const {h1: H1, h2: H2} = S
  let hard: number[] | undefined
  for (let g = 0; g < ng; g++) {
    const s = gs[g]
    const e = gs[g + 1]
    const h1 = H1[s]
    const h2 = H2[s]
    let best = s
    let other = false
    for (let p = s + 1; p < e; p++) {
      if (H1[p] !== h1 || H2[p] !== h2) other = true
      if (better(x, p, best)) best = p
    }
    if (clients !== undefined && !noteClients(clients, H1, H2, s, e, other)) {
      x.restart = true
      return undefined
    }
    if (contested !== undefined && contested.has(gkey[g])) {
      (hard ??= []).push(g)
      continue
    }
    // No client here holds another address (of its subnet): the greedy pass would give this
    // address its best lease, so it is settled here, in address order (after a split brain nearly
    // every address has two clients: no sort, no object per lease). In the optimistic pass a
    // client found at a second address later restarts the whole pass.
    winner[g] = best
    x.count++
    if (other && e - s === 2) settlePair(x, s, best)
    else {
      if (other) reportLosers(x, g, best)
      account(x, g)
    }
  }
  return hard
}

/**
 * Two clients' leases at one address (positions s and s + 1), w the better: what reportLosers and
 * account do, without their loops, for the case a split brain makes of nearly every address.
 */
function settlePair(x: Pass, s: number, w: number): void {
  const {report, detail} = x
  const {tab} = x.S
  const lost = w === s ? s + 1 : s
  report.conflicted++
  if (listed(report.conflicts, detail)) report.conflicts.push({ip: ipAt(x, w), kept: lineAt(x, w), lost: lineAt(x, lost), reason: 'address held by another client with a later lease'})
  if (tab[lost] === 0) {
    report.dropped++
    if (listed(report.droppedLeases, detail)) report.droppedLeases.push({ip: ipAt(x, lost), reason: 'conflict', lease: lineAt(x, lost)})
  }
  if (tab[w] === 0) return // the base's lease stays
  x.changed.push(w)
  report.added++
  if (detail) report.addedIps.push(ipAt(x, w))
}

/**
 * The conflicts at address g, whose winner is position w, with no client elsewhere: every other
 * client's lease lost the address; a line there twice is reported once. In the order of the
 * greedy pass (better first), as settleContested reports them.
 */
function reportLosers(x: Pass, g: number, w: number): void {
  const {gs} = x.G
  const {h1, h2} = x.S
  const s = gs[g]
  const e = gs[g + 1]
  const {report, detail} = x
  // Counted first, with no allocation: after a split brain this runs for nearly every address,
  // and only the first LIST_LIMIT conflicts are listed without detail.
  let n = 0
  for (let p = s; p < e; p++) if (lostAt(x, s, p, w, h1, h2)) n++
  report.conflicted += n
  if (n === 0 || !listed(report.conflicts, detail)) return
  const lost: number[] = []
  for (let p = s; p < e; p++) if (lostAt(x, s, p, w, h1, h2)) lost.push(p)
  if (lost.length > 1) lost.sort((a, b) => (better(x, a, b) ? -1 : better(x, b, a) ? 1 : 0))
  const kept = lineAt(x, w)
  const ip = ipAt(x, w)
  for (const p of lost) if (listed(report.conflicts, detail)) report.conflicts.push({ip, kept, lost: lineAt(x, p), reason: 'address held by another client with a later lease'})
}

/** Position p (of the address starting at s, won by w) is another client's lease, and the first of its bytes there. */
function lostAt(x: Pass, s: number, p: number, w: number, h1: Int32Array, h2: Int32Array): boolean {
  if (p === w || (h1[p] === h1[w] && h2[p] === h2[w])) return false
  for (let q = s; q < p; q++) if (q !== w && sameLine(x, q, p)) return false
  return true
}

/** Notes the clients at positions s..e (one address): each distinct one once; false when one was seen at another address. */
function noteClients(clients: ClientSet, H1: Int32Array, H2: Int32Array, s: number, e: number, several: boolean): boolean {
  if (!clients.add(H1[s], H2[s])) return false
  if (!several) return true
  for (let p = s + 1; p < e; p++) {
    let seen = false
    for (let q = s; q < p && !seen; q++) seen = H1[q] === H1[p] && H2[q] === H2[p]
    if (!seen && !clients.add(H1[p], H2[p])) return false
  }
  return true
}

/**
 * The output: offsets assigned in address order, then the winning lines copied in file order, so
 * the input is read sequentially and the scattered accesses are writes, which do not stall.
 * The server DUID line goes between the IPv4 and the IPv6 leases.
 */
function write(x: Pass, duidLine: string | undefined): Uint8Array {
  const {C, G, S, winner} = x
  const {ord, ng} = G
  const n4 = C.n4
  // Per input, per lease: 1 + its offset in the output when it won, else 0.
  const dest = C.tables.map((t) => new Int32Array(t.count))
  let pos = 0
  let duidAt = -1
  for (let g = 0; g < ng; g++) {
    const p = winner[g]
    if (p === -1) continue
    if (duidLine !== undefined && duidAt === -1 && ord[p] >= n4) {
      duidAt = pos
      pos += duidLine.length
    }
    dest[S.tab[p]][S.idx[p]] = pos + 1
    pos += S.len[p] + 1
  }
  if (duidLine !== undefined && duidAt === -1) {
    duidAt = pos
    pos += duidLine.length
  }
  // The sorted candidates are read by now: the output goes into their memory when it fits
  // (fresh memory costs a page fault per 4 KiB, ~1500 of them for 6 MB).
  const spare = S.rank.buffer
  const out = pos <= spare.byteLength ? new Uint8Array(spare, 0, pos) : new Uint8Array(pos)
  for (let f = 0; f < C.tables.length; f++) copyLines(C.tables[f], dest[f], out)
  if (duidLine !== undefined) for (let i = 0; i < duidLine.length; i++) out[duidAt + i] = duidLine.charCodeAt(i)
  return out
}

/** What changed at address g relative to the first input. */
function account(x: Pass, g: number): void {
  const {S, report} = x
  const {gs} = x.G
  const tab = S.tab
  const w = x.winner[g]
  const s = gs[g]
  const e = gs[g + 1]
  if (w !== -1 && e - s === 1) {
    if (tab[w] !== 0) {
      x.changed.push(w)
      report.added++
      if (x.detail) report.addedIps.push(ipAt(x, w))
    }
    return
  }
  let baseSame = false
  let baseExact = false
  for (let p = s; p < e; p++) {
    if (tab[p] !== 0) continue
    if (w !== -1 && (p === w || sameLine(x, p, w))) { baseSame = baseExact = true; continue }
    if (w !== -1 && S.h1[p] === S.h1[w] && S.h2[p] === S.h2[w]) { baseSame = true; continue }
    // A line in the base twice is reported once (identical lines share their address: look back in this group only).
    let again = false
    for (let q = s; q < p && !again; q++) again = tab[q] === 0 && sameLine(x, q, p)
    if (again) continue
    report.dropped++
    if (listed(report.droppedLeases, x.detail)) report.droppedLeases.push({ip: ipAt(x, p), reason: 'conflict', lease: lineAt(x, p)})
  }
  if (w === -1 || baseExact) return
  x.changed.push(w)
  if (baseSame) {
    report.updated++
    if (x.detail) report.updatedIps.push(ipAt(x, w))
  } else {
    report.added++
    if (x.detail) report.addedIps.push(ipAt(x, w))
  }
}

/** The address text of candidate c. */
function ipOf(C: Cands, c: number): string {
  const t = C.tables[C.cid[c] & ID_INPUT]
  const [, sp2, sp3] = leaseSpaces(t, C.cid[c] >>> ID_SHIFT)
  return latin1(t.buf, sp2 + 1, sp3)
}

/** The address text at position p. */
function ipAt(x: Pass, p: number): string {
  return ipOf(x.C, x.G.ord[p])
}

/** Position a beats b: later expiry (0 = never), then the greater line bytes. */
function better(x: Pass, a: number, b: number): boolean {
  const {rank} = x.S
  const ea = rank[a]
  const eb = rank[b]
  if (ea !== eb) return ea > eb
  return comparePositions(x, a, b) > 0
}

/** Compares the lines at positions a and b as bytes. */
function comparePositions(x: Pass, a: number, b: number): number {
  const {start, len, tab} = x.S
  const {views, bufs} = x.C
  return compareLines(views[tab[a]], bufs[tab[a]], start[a], len[a], views[tab[b]], bufs[tab[b]], start[b], len[b])
}

function sameLine(x: Pass, a: number, b: number): boolean {
  const {rank, len, h1} = x.S
  // Most differing copies of a lease differ in expiry: compare that before the bytes.
  if (rank[a] !== rank[b] || len[a] !== len[b] || h1[a] !== h1[b]) return false
  return comparePositions(x, a, b) === 0
}

function settleContested(hard: number[], x: Pass): void {
  const {G, S, winner, report} = x
  const {gs} = G
  // A client is its two hashes (as everywhere in the merge); text is made only for what is reported.
  const all: Array<{p: number; g: number; ck: string}> = []
  for (const g of hard) for (let p = gs[g]; p < gs[g + 1]; p++) all.push({p, g, ck: `${S.h1[p]},${S.h2[p]}`})
  all.sort((a, b) => (better(x, a.p, b.p) ? -1 : better(x, b.p, a.p) ? 1 : 0))
  const clientAt = new Map<string, number>()
  const winnerOf = new Map<number, (typeof all)[number]>()
  const seen = new Set<string>()
  // Reported by address, then in the pass's order (as reportLosers does).
  const found: Array<{g: number; c: Conflict}> = []
  for (const a of all) {
    const w = winnerOf.get(a.g)
    const at = clientAt.get(a.ck)
    if (w === undefined && at === undefined) {
      winner[a.g] = a.p
      winnerOf.set(a.g, a)
      clientAt.set(a.ck, a.g)
      continue
    }
    const lost = lineAt(x, a.p)
    if (seen.has(lost)) continue
    seen.add(lost)
    if (w !== undefined && w.ck !== a.ck) {
      found.push({g: a.g, c: {ip: ipAt(x, a.p), kept: lineAt(x, w.p), lost, reason: 'address held by another client with a later lease'}})
    } else if (at !== undefined && at !== a.g) {
      const kept = winnerOf.get(at)!.p
      found.push({g: a.g, c: {ip: ipAt(x, a.p), kept: lineAt(x, kept), lost, reason: `client has a later lease on ${ipAt(x, kept)}`}})
    }
  }
  found.sort((a, b) => a.g - b.g) // stable
  report.conflicted += found.length
  for (const f of found) if (listed(report.conflicts, x.detail)) report.conflicts.push(f.c)
}

/** The line at position p, without its newline. */
function lineAt(x: Pass, p: number): string {
  const {start, len, tab} = x.S
  return latin1(x.C.bufs[tab[p]], start[p], start[p] + len[p])
}

/**
 * The IPv6 address in buf[from..to) (text the parser accepted: hex groups, at most one '::', maybe
 * a dotted IPv4 tail) as four big-endian 32-bit words at out[at..at+4), so that comparing the
 * words compares the addresses.
 */
export function ipv6Words(buf: Uint8Array, from: number, to: number, out: Uint32Array, at: number): void {
  const g = [0, 0, 0, 0, 0, 0, 0, 0]
  let n = 0
  let gap = -1 // where '::' stands, in groups
  let k = from
  while (k < to) {
    if (buf[k] === 58) { // ':'
      if (buf[k + 1] === 58 && k + 1 < to) {
        gap = n
        k += 2
      } else k++
      continue
    }
    let j = k
    let dotted = false
    while (j < to && buf[j] !== 58) if (buf[j++] === 46) dotted = true
    if (dotted) {
      let v = 0
      let octet = 0
      for (let q = k; q < j; q++) {
        if (buf[q] === 46) {
          v = v * 256 + octet
          octet = 0
        } else octet = octet * 10 + buf[q] - 48
      }
      v = v * 256 + octet
      g[n++] = Math.floor(v / 65536)
      g[n++] = v % 65536
    } else {
      let v = 0
      for (let q = k; q < j; q++) v = v * 16 + ((buf[q] | 0x20) <= 57 ? buf[q] - 48 : (buf[q] | 0x20) - 87)
      g[n++] = v
    }
    k = j
  }
  if (gap !== -1) {
    const fill = 8 - n
    for (let q = 7; q >= gap + fill; q--) g[q] = g[q - fill]
    for (let q = gap; q < gap + fill; q++) g[q] = 0
  }
  for (let w = 0; w < 4; w++) out[at + w] = g[2 * w] * 65536 + g[2 * w + 1]
}
