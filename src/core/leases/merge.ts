import {HaError} from '../errors.js'
import {ExitCode} from '../exit-codes.js'
import {leaseAt, leaseLine, type LeaseTable} from './table.js'
import {clientKey, type Lease} from './types.js'

export type MergeOptions = {
  /** Epoch seconds: leases that expired at or before it are dropped. */
  now: number
  /** dnsmasq's dhcp-lease-max: a result with more leases is refused (0 or unset = no limit). */
  leaseMax?: number
  /** The server DUID line to write; default: the first input that has one. */
  serverDuid?: string
  /** List the addresses added and updated (default true); counts are always there. */
  detail?: boolean
}

export type Conflict = {ip: string; kept?: string; lost: string; reason: string}

/** What the merge changed, relative to the first input (the local file, in a sync). */
export type MergeReport = {
  leases: number
  added: number
  updated: number
  dropped: number
  addedIps: string[]
  updatedIps: string[]
  droppedLeases: Array<{ip: string; reason: 'expired' | 'conflict'; lease: string}>
  conflicts: Conflict[]
}

export type MergeResult = {
  /** The merged file, ready to write. */
  bytes: Uint8Array
  report: MergeReport
  /** The leases added or updated relative to the first input (what a running dnsmasq must be told). */
  changed(): Lease[]
}

/**
 * The semantic merge. Rules: expired leases go; one lease per address and one address per client
 * (client = client id, else MAC; IPv6: DUID + IAID); when two leases compete the later expiry wins
 * (0 = infinite beats all), ties broken by the line's bytes so the result does not depend on input
 * order. That equals taking every lease in that order and keeping it when neither its address nor
 * its client is taken yet; the greedy pass runs only over contested addresses and clients.
 * Output: IPv4 by address, the server DUID line, IPv6 by address.
 */
export function mergeLeaseTables(tables: readonly LeaseTable[], opts: MergeOptions): MergeResult {
  const report: MergeReport = {leases: 0, added: 0, updated: 0, dropped: 0, addedIps: [], updatedIps: [], droppedLeases: [], conflicts: []}
  // Each phase is its own small function: one loop each, so V8 optimizes every loop once, early
  // (a CLI run is cold), instead of re-optimizing one big function phase after phase.
  const {C, n, v6} = collect(tables, opts.now, report)
  hashClients(C, n)
  const {idx, starts, ends} = groupOrder(C, n, v6)
  const cSlot = new Int32Array(n)
  const clients = noteClients(C, n, idx, starts, ends, cSlot)
  let duid = opts.serverDuid
  for (let f = 0; duid === undefined && f < tables.length; f++) duid = tables[f].serverDuid
  const duidLine = duid === undefined ? undefined : `duid ${duid}\n`
  const x: Pass = {
    C, idx, starts, ends, report, detail: opts.detail !== false, winner: new Int32Array(starts.length).fill(-1), changed: [],
    out: new Uint8Array(room(C, n) + (duidLine?.length ?? 0)), pos: 0, duidLine, duidDone: duidLine === undefined, count: 0,
  }
  const hard = pickAndWrite(x, clients, cSlot)
  if (hard) {
    // Contested addresses (two clients on one, a client on two): settled greedily, then the output is written again in order.
    settleContested(hard, C, idx, starts, ends, x.winner, report)
    for (const g of hard) {
      if (x.winner[g] !== -1) x.count++
      account(x, g)
    }
    x.pos = 0
    x.duidDone = duidLine === undefined
    for (let g = 0; g < starts.length; g++) if (x.winner[g] !== -1) emit(x, x.winner[g])
  }
  if (!x.duidDone) x.pos = writeAscii(x.out, x.pos, duidLine!)
  report.leases = x.count
  if (opts.leaseMax && x.count > opts.leaseMax) {
    throw new HaError(`merged lease database has ${x.count} leases, over dnsmasq.lease_max = ${opts.leaseMax}: dnsmasq would refuse to start ("too many stored leases")`, ExitCode.FAILED, {kind: 'lease-max', hint: 'raise dhcp-lease-max and dnsmasq.lease_max together'})
  }
  const {cT, cI} = C
  return {bytes: x.out.subarray(0, x.pos), report, changed: () => x.changed.map((c) => leaseAt(tables[cT[c]], cI[c]))}
}

/** Per-candidate data in file order (sequential reads); the base file's expired leases are reported. */
function collect(tables: readonly LeaseTable[], now: number, report: MergeReport): {C: Cands; n: number; v6: number} {
  let total = 0
  for (const t of tables) total += t.count
  const cT = new Int32Array(total)
  const cI = new Int32Array(total)
  const cE = new Float64Array(total)
  const cIp = new Uint32Array(total)
  const cLen = new Int32Array(total)
  let n = 0
  let v6 = 0
  for (let f = 0; f < tables.length; f++) {
    const t = tables[f]
    const {expiry, ip4, start, end, family} = t
    for (let i = 0; i < t.count; i++) {
      const e = expiry[i]
      if (e !== 0 && e <= now) {
        if (f === 0) {
          report.dropped++
          report.droppedLeases.push({ip: leaseAt(t, i).ip, reason: 'expired', lease: leaseLine(t, i)})
        }
        continue
      }
      cT[n] = f
      cI[n] = i
      cE[n] = e === 0 ? Infinity : e
      cIp[n] = ip4[i]
      cLen[n] = end[i] - start[i]
      if (family[i] === 6) v6++
      n++
    }
  }
  return {C: {tables, cT, cI, cE, cIp, cLen, cH1: new Int32Array(n), cH2: new Int32Array(n)}, n, v6}
}

/** Which address (group) each client holds; a client on several gets -1. cSlot[c] = c's client. */
function noteClients(C: Cands, n: number, idx: Int32Array, starts: number[], ends: number[], cSlot: Int32Array): ClientSet {
  const clients = new ClientSet(C, n)
  const cGroup = groupOfCandidates(n, idx, starts, ends)
  for (let c = 0; c < n; c++) cSlot[c] = clients.note(c, cGroup[c])
  return clients
}

function groupOfCandidates(n: number, idx: Int32Array, starts: number[], ends: number[]): Int32Array {
  const cGroup = new Int32Array(n)
  for (let g = 0; g < starts.length; g++) for (let k = starts[g]; k < ends[g]; k++) cGroup[idx[k]] = g
  return cGroup
}

function room(C: Cands, n: number): number {
  let size = 0
  for (let c = 0; c < n; c++) size += C.cLen[c] + 1
  return size
}

/** State of the output pass. */
type Pass = {
  C: Cands
  idx: Int32Array
  starts: number[]
  ends: number[]
  report: MergeReport
  detail: boolean
  winner: Int32Array
  changed: number[]
  out: Uint8Array
  pos: number
  duidLine: string | undefined
  duidDone: boolean
  count: number
}

/**
 * One pass in address order: pick, account and write each uncontested address while its lines are
 * in cache. Returns the contested addresses, left for settleContested.
 */
function pickAndWrite(x: Pass, clients: ClientSet, cSlot: Int32Array): number[] | undefined {
  const {C, idx, starts, ends, winner} = x
  let hard: number[] | undefined
  for (let g = 0; g < starts.length; g++) {
    const s = starts[g]
    const first = idx[s]
    let best = first
    let contested = clients.groupAt(cSlot[first]) !== g
    for (let k = s + 1; k < ends[g]; k++) {
      const c = idx[k]
      if (!sameClient(C, c, first)) contested = true
      if (better(C, c, best)) best = c
    }
    if (contested) {
      (hard ??= []).push(g)
      continue
    }
    winner[g] = best
    x.count++
    account(x, g)
    emit(x, best)
  }
  return hard
}

function emit(x: Pass, w: number): void {
  const {C, out} = x
  const t = C.tables[C.cT[w]]
  const i = C.cI[w]
  let pos = x.pos
  if (!x.duidDone && t.family[i] === 6) {
    pos = writeAscii(out, pos, x.duidLine!)
    x.duidDone = true
  }
  const buf = t.buf
  for (let k = t.start[i], e = k + C.cLen[w]; k <= e; k++) out[pos++] = buf[k]
  x.pos = pos
}

/** What changed at address g relative to the first input. */
function account(x: Pass, g: number): void {
  const {C, idx, report} = x
  const {cT, cI} = C
  const w = x.winner[g]
  const s = x.starts[g]
  const e = x.ends[g]
  if (w !== -1 && e - s === 1) {
    if (cT[w] !== 0) {
      x.changed.push(w)
      report.added++
      if (x.detail) report.addedIps.push(ipOf(C, w))
    }
    return
  }
  let baseSame = false
  let baseExact = false
  for (let k = s; k < e; k++) {
    const c = idx[k]
    if (cT[c] !== 0) continue
    if (w !== -1 && (c === w || sameLine(C, c, w))) { baseSame = baseExact = true; continue }
    if (w !== -1 && sameClient(C, c, w)) { baseSame = true; continue }
    const base = C.tables[0]
    const line = leaseLine(base, cI[c])
    if (!report.droppedLeases.some((d) => d.lease === line)) {
      report.dropped++
      report.droppedLeases.push({ip: leaseAt(base, cI[c]).ip, reason: 'conflict', lease: line})
    }
  }
  if (w === -1 || baseExact) return
  x.changed.push(w)
  if (baseSame) {
    report.updated++
    if (x.detail) report.updatedIps.push(ipOf(C, w))
  } else {
    report.added++
    if (x.detail) report.addedIps.push(ipOf(C, w))
  }
}

type Cands = {tables: readonly LeaseTable[]; cT: Int32Array; cI: Int32Array; cE: Float64Array; cIp: Uint32Array; cLen: Int32Array; cH1: Int32Array; cH2: Int32Array}

function writeAscii(out: Uint8Array, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[pos++] = s.charCodeAt(i)
  return pos
}

function ipOf(C: Cands, c: number): string {
  const t = C.tables[C.cT[c]]
  const i = C.cI[c]
  let s = ''
  for (let k = t.sp2[i] + 1; k < t.sp3[i]; k++) s += String.fromCharCode(t.buf[k])
  return s
}

/** a beats b: later expiry (0 = never), then the greater line bytes. */
function better(C: Cands, a: number, b: number): boolean {
  const ea = C.cE[a]
  const eb = C.cE[b]
  if (ea !== eb) return ea > eb
  const ta = C.tables[C.cT[a]]
  const tb = C.tables[C.cT[b]]
  const ia = C.cI[a]
  const ib = C.cI[b]
  return compareBytes(ta.buf, ta.start[ia], ta.end[ia], tb.buf, tb.start[ib], tb.end[ib]) > 0
}

function compareBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const len = Math.min(ae - as, be - bs)
  for (let k = 0; k < len; k++) {
    const d = a[as + k] - b[bs + k]
    if (d !== 0) return d
  }
  return (ae - as) - (be - bs)
}

function sameLine(C: Cands, a: number, b: number): boolean {
  if (C.cE[a] !== C.cE[b] || C.cLen[a] !== C.cLen[b] || C.cH1[a] !== C.cH1[b]) return false
  const ta = C.tables[C.cT[a]]
  const tb = C.tables[C.cT[b]]
  const ia = C.cI[a]
  const ib = C.cI[b]
  // Most differing copies of a lease differ in expiry: compare that before the bytes.
  return ta.expiry[ia] === tb.expiry[ib] && ta.end[ia] - ta.start[ia] === tb.end[ib] - tb.start[ib] && compareBytes(ta.buf, ta.start[ia], ta.end[ia], tb.buf, tb.start[ib], tb.end[ib]) === 0
}

/**
 * Two independent 32-bit hashes of the bytes that identify a lease's client: client id, else MAC
 * (IPv4); DUID + IAID, else the address (IPv6). Clients are compared by these 64 bits (a false
 * match needs a 2^-64 coincidence), so the merge never goes back to the file bytes in random order.
 * '| 0x20' folds case for hex digits and leaves digits, ':' and '-' as they are.
 */
function hashClients(C: Cands, n: number): void {
  const {tables, cT, cI, cH1, cH2} = C
  for (let c = 0; c < n; c++) {
    const t = tables[cT[c]]
    const i = cI[c]
    const buf = t.buf
    const star = buf[t.sp4[i] + 1] === 42 && t.sp4[i] + 2 === t.end[i]
    let kind: number
    let from: number
    let to: number
    let from2 = 0
    let to2 = 0
    if (t.family[i] === 4) {
      if (star) { kind = 1; from = t.sp1[i] + 1; to = t.sp2[i] } else { kind = 2; from = t.sp4[i] + 1; to = t.end[i] }
    } else if (star) {
      kind = 3; from = t.sp2[i] + 1; to = t.sp3[i]
    } else {
      kind = 4; from = t.sp4[i] + 1; to = t.end[i]; from2 = t.sp1[i] + 1; to2 = t.sp2[i]
    }
    let h1 = Math.imul(0x811c9dc5 ^ kind, 16777619)
    let h2 = Math.imul(0x5bd1e995 ^ kind, 0x27d4eb2d)
    for (let k = from; k < to; k++) {
      const b = buf[k] | 0x20
      h1 = Math.imul(h1 ^ b, 16777619)
      h2 = Math.imul((h2 ^ b) + (h2 >>> 15), 0x27d4eb2d)
    }
    for (let k = from2; k < to2; k++) {
      const b = buf[k]
      h1 = Math.imul(h1 ^ b, 16777619)
      h2 = Math.imul((h2 ^ b) + (h2 >>> 15), 0x27d4eb2d)
    }
    cH1[c] = h1
    cH2[c] = h2 ^ (h2 >>> 13)
  }
}

function sameClient(C: Cands, a: number, b: number): boolean {
  return C.cH1[a] === C.cH1[b] && C.cH2[a] === C.cH2[b]
}

/**
 * Open-addressing table of clients -> the group (address) they hold, or -1 when on several.
 * One interleaved array (h1, h2, group + 2; 0 = empty), so a probe costs one cache miss.
 */
class ClientSet {
  private readonly t: Int32Array
  private readonly mask: number
  constructor(private readonly C: Cands, n: number) {
    let size = 16
    while (size < n * 1.25) size *= 2 // load <= 0.8 even when every candidate is its own client
    this.t = new Int32Array(size * 4)
    this.mask = size - 1
  }

  /** Records that candidate c's client holds group g; returns the client's slot. */
  note(c: number, g: number): number {
    const a = this.C.cH1[c]
    const b = this.C.cH2[c]
    const t = this.t
    let s = (a ^ (b >>> 7)) & this.mask
    for (;;) {
      const o = s << 2
      const v = t[o + 2]
      if (v === 0) {
        t[o] = a
        t[o + 1] = b
        t[o + 2] = g + 2
        return s
      }
      if (t[o] === a && t[o + 1] === b) {
        if (v !== g + 2) t[o + 2] = 1
        return s
      }
      s = (s + 1) & this.mask
    }
  }

  /** The group the client in `slot` holds, or -1 when it holds several. */
  groupAt(slot: number): number {
    return this.t[(slot << 2) + 2] - 2
  }
}

/** Candidates sorted by address (IPv4 numerically, then IPv6), with the bounds of each address's group. */
function groupOrder(C: Cands, n: number, v6count: number): {idx: Int32Array; starts: number[]; ends: number[]} {
  const v4n = n - v6count
  const idx = new Int32Array(n)
  const starts: number[] = []
  const ends: number[] = []
  const v4 = new Int32Array(v4n)
  let j = 0
  for (let c = 0; c < n; c++) if (C.tables[C.cT[c]].family[C.cI[c]] === 4) v4[j++] = c
  const {order, keys} = radixSortByIp(v4, C.cIp)
  idx.set(order)
  let prev = -1
  for (let k = 0; k < v4n; k++) {
    const ip = keys[k]
    if (ip !== prev) {
      if (k > 0) ends.push(k)
      starts.push(k)
      prev = ip
    }
  }
  if (v4n > 0) ends.push(v4n)
  if (v6count > 0) {
    const v6 = Array.from({length: n}, (_, c) => c).filter((c) => C.tables[C.cT[c]].family[C.cI[c]] === 6)
    const keyOf = new Map<number, string>(v6.map((c) => [c, expandIpv6(ipOf(C, c))]))
    v6.sort((a, b) => (keyOf.get(a)! < keyOf.get(b)! ? -1 : keyOf.get(a)! > keyOf.get(b)! ? 1 : 0))
    groupBy(v6, (c) => keyOf.get(c)!, idx, v4n, starts, ends)
  }
  return {idx, starts, ends}
}

/**
 * LSD radix sort of candidates by IPv4 address: three passes of 11/11/10 bits (2048 buckets keep
 * the scatter cache-friendly), keys carried along so every pass reads sequentially. Stable.
 * Returns the sorted candidates and their addresses.
 */
function radixSortByIp(cands: Int32Array, ip: Uint32Array): {order: Int32Array; keys: Uint32Array} {
  const n = cands.length
  let vs: Int32Array = cands
  let ks: Uint32Array = new Uint32Array(n)
  for (let k = 0; k < n; k++) ks[k] = ip[cands[k]]
  let vd: Int32Array = new Int32Array(n)
  let kd: Uint32Array = new Uint32Array(n)
  const count = new Int32Array(2048)
  for (const shift of [0, 11, 22]) {
    radixPass(ks, vs, kd, vd, shift, count)
    const tv = vs
    const tk = ks
    vs = vd
    ks = kd
    vd = tv === cands ? new Int32Array(n) : tv
    kd = tk
  }
  return {order: vs, keys: ks}
}

/** One counting-sort pass on an 11-bit digit, from (ks, vs) into (kd, vd). */
function radixPass(ks: Uint32Array, vs: Int32Array, kd: Uint32Array, vd: Int32Array, shift: number, count: Int32Array): void {
  const n = ks.length
  count.fill(0)
  for (let k = 0; k < n; k++) count[(ks[k] >>> shift) & 0x7ff]++
  let sum = 0
  for (let d = 0; d < 2048; d++) {
    const c = count[d]
    count[d] = sum
    sum += c
  }
  for (let k = 0; k < n; k++) {
    const key = ks[k]
    const at = count[(key >>> shift) & 0x7ff]++
    vd[at] = vs[k]
    kd[at] = key
  }
}

function groupBy(sorted: number[], key: (c: number) => string, idx: Int32Array, offset: number, starts: number[], ends: number[]): void {
  let prev: string | undefined
  for (let k = 0; k < sorted.length; k++) {
    idx[offset + k] = sorted[k]
    const kk = key(sorted[k])
    if (kk !== prev) {
      if (k > 0) ends.push(offset + k)
      starts.push(offset + k)
      prev = kk
    }
  }
  if (sorted.length > 0) ends.push(offset + sorted.length)
}

function settleContested(hard: number[], C: Cands, idx: Int32Array, starts: number[], ends: number[], winner: Int32Array, report: MergeReport): void {
  const all: Array<{c: number; g: number; ck: string; lease: Lease}> = []
  for (const g of hard) {
    for (let k = starts[g]; k < ends[g]; k++) {
      const lease = leaseAt(C.tables[C.cT[idx[k]]], C.cI[idx[k]])
      all.push({c: idx[k], g, ck: clientKey(lease), lease})
    }
  }
  all.sort((a, b) => (better(C, a.c, b.c) ? -1 : better(C, b.c, a.c) ? 1 : 0))
  const clientAt = new Map<string, number>()
  const winnerOf = new Map<number, (typeof all)[number]>()
  const seen = new Set<string>()
  for (const a of all) {
    const w = winnerOf.get(a.g)
    const at = clientAt.get(a.ck)
    if (w === undefined && at === undefined) {
      winner[a.g] = a.c
      winnerOf.set(a.g, a)
      clientAt.set(a.ck, a.g)
      continue
    }
    if (seen.has(a.lease.line)) continue
    seen.add(a.lease.line)
    if (w !== undefined && w.ck !== a.ck) {
      report.conflicts.push({ip: a.lease.ip, kept: w.lease.line, lost: a.lease.line, reason: 'address held by another client with a later lease'})
    } else if (at !== undefined && at !== a.g) {
      const kept = winnerOf.get(at)!.lease
      report.conflicts.push({ip: a.lease.ip, kept: kept.line, lost: a.lease.line, reason: `client has a later lease on ${kept.ip}`})
    }
  }
}

/** Eight 4-digit lower-case groups, so string order is address order. */
export function expandIpv6(ip: string): string {
  let s = ip.toLowerCase()
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s)
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number)
    s = `${s.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined]
  const h = head ? head.split(':') : []
  const t = tail === undefined ? [] : tail ? tail.split(':') : []
  const fill = tail === undefined ? [] : new Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0')
  return [...h, ...fill, ...t].map((g) => g.padStart(4, '0')).join(':')
}
