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
  const detail = opts.detail !== false
  const report: MergeReport = {leases: 0, added: 0, updated: 0, dropped: 0, addedIps: [], updatedIps: [], droppedLeases: [], conflicts: []}
  let total = 0
  for (const t of tables) total += t.count
  const cT = new Int32Array(total)
  const cI = new Int32Array(total)
  const cE = new Float64Array(total)
  const cIp = new Uint32Array(total)
  const cLen = new Int32Array(total)
  let n = 0
  let v6 = 0
  // Per-candidate data is gathered in file order (sequential reads); later passes go by address.
  for (let f = 0; f < tables.length; f++) {
    const t = tables[f]
    for (let i = 0; i < t.count; i++) {
      const e = t.expiry[i]
      if (e !== 0 && e <= opts.now) {
        if (f === 0) {
          report.dropped++
          report.droppedLeases.push({ip: leaseAt(t, i).ip, reason: 'expired', lease: leaseLine(t, i)})
        }
        continue
      }
      cT[n] = f
      cI[n] = i
      cE[n] = e === 0 ? Infinity : e
      cIp[n] = t.ip4[i]
      cLen[n] = t.end[i] - t.start[i]
      if (t.family[i] === 6) v6++
      n++
    }
  }
  const C: Cands = {tables, cT, cI, cE, cIp, cLen, cH1: new Int32Array(n), cH2: new Int32Array(n)}
  hashClients(C, n)

  const {idx, starts, ends} = groupOrder(C, n, v6)
  const nGroups = starts.length
  // A client is contested when its leases name more than one address.
  const clients = new ClientSet(C, n)
  for (let g = 0; g < nGroups; g++) for (let k = starts[g]; k < ends[g]; k++) clients.note(idx[k], g)
  const winner = new Int32Array(nGroups).fill(-1)
  let hard: number[] | undefined
  for (let g = 0; g < nGroups; g++) {
    const s = starts[g]
    const first = idx[s]
    let best = first
    let contested = clients.groupOf(first) !== g
    for (let k = s + 1; k < ends[g]; k++) {
      const c = idx[k]
      if (!sameClient(C, c, first)) contested = true
      if (better(C, c, best)) best = c
    }
    // Uncontested addresses keep their best lease; contested ones are settled greedily below.
    if (contested) (hard ??= []).push(g)
    else winner[g] = best
  }
  if (hard) settleContested(hard, C, idx, starts, ends, winner, report)

  // What changed relative to the first input, and the output size.
  const changed: number[] = []
  let size = 0
  let count = 0
  for (let g = 0; g < nGroups; g++) {
    const w = winner[g]
    const s = starts[g]
    if (w !== -1) {
      count++
      size += cLen[w] + 1
      if (ends[g] - s === 1) {
        if (cT[w] !== 0) {
          changed.push(w)
          report.added++
          if (detail) report.addedIps.push(ipOf(C, w))
        }
        continue
      }
    }
    let baseSame = false
    let baseExact = false
    for (let k = s; k < ends[g]; k++) {
      const c = idx[k]
      if (cT[c] !== 0) continue
      if (w !== -1 && (c === w || sameLine(C, c, w))) { baseSame = baseExact = true; continue }
      if (w !== -1 && sameClient(C, c, w)) { baseSame = true; continue }
      const line = leaseLine(tables[0], cI[c])
      if (!report.droppedLeases.some((d) => d.lease === line)) {
        report.dropped++
        report.droppedLeases.push({ip: leaseAt(tables[0], cI[c]).ip, reason: 'conflict', lease: line})
      }
    }
    if (w === -1 || baseExact) continue
    changed.push(w)
    if (baseSame) {
      report.updated++
      if (detail) report.updatedIps.push(ipOf(C, w))
    } else {
      report.added++
      if (detail) report.addedIps.push(ipOf(C, w))
    }
  }
  report.leases = count
  if (opts.leaseMax && count > opts.leaseMax) {
    throw new HaError(`merged lease database has ${count} leases, over dnsmasq.lease_max = ${opts.leaseMax}: dnsmasq would refuse to start ("too many stored leases")`, ExitCode.FAILED, {kind: 'lease-max', hint: 'raise dhcp-lease-max and dnsmasq.lease_max together'})
  }

  let duid = opts.serverDuid
  for (let f = 0; duid === undefined && f < tables.length; f++) duid = tables[f].serverDuid
  const duidLine = duid === undefined ? undefined : `duid ${duid}\n`
  const bytes = new Uint8Array(size + (duidLine?.length ?? 0))
  let pos = 0
  let duidDone = duidLine === undefined
  for (let g = 0; g < nGroups; g++) {
    const w = winner[g]
    if (w === -1) continue
    const t = C.tables[cT[w]]
    const i = cI[w]
    if (!duidDone && t.family[i] === 6) {
      pos = writeAscii(bytes, pos, duidLine!)
      duidDone = true
    }
    const buf = t.buf
    for (let k = t.start[i], e = k + cLen[w]; k <= e; k++) bytes[pos++] = buf[k]
  }
  if (!duidDone) writeAscii(bytes, pos, duidLine!)
  return {bytes, report, changed: () => changed.map((c) => leaseAt(C.tables[cT[c]], cI[c]))}
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

/** Open-addressing set of clients -> the group (address) they hold, or -1 when on several. */
class ClientSet {
  private readonly h1: Int32Array
  private readonly h2: Int32Array
  private readonly used: Uint8Array
  private readonly groups: Int32Array
  private readonly mask: number
  constructor(private readonly C: Cands, n: number) {
    let size = 16
    while (size < n * 1.5) size *= 2
    this.h1 = new Int32Array(size)
    this.h2 = new Int32Array(size)
    this.used = new Uint8Array(size)
    this.groups = new Int32Array(size)
    this.mask = size - 1
  }

  private find(c: number): number {
    const a = this.C.cH1[c]
    const b = this.C.cH2[c]
    let s = (a ^ (b >>> 7)) & this.mask
    while (this.used[s] === 1 && (this.h1[s] !== a || this.h2[s] !== b)) s = (s + 1) & this.mask
    return s
  }

  note(c: number, g: number): void {
    const s = this.find(c)
    if (this.used[s] === 0) {
      this.used[s] = 1
      this.h1[s] = this.C.cH1[c]
      this.h2[s] = this.C.cH2[c]
      this.groups[s] = g
    } else if (this.groups[s] !== g) {
      this.groups[s] = -1
    }
  }

  groupOf(c: number): number {
    const s = this.find(c)
    return this.used[s] === 0 ? -2 : this.groups[s]
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
  const sorted = radixSortByIp(v4, C.cIp)
  let prev = -1
  for (let k = 0; k < v4n; k++) {
    const c = sorted[k]
    idx[k] = c
    const ip = C.cIp[c]
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

/** LSD radix sort of candidates by IPv4 address, two 16-bit passes; stable, so equal addresses keep input order. */
function radixSortByIp(cands: Int32Array, ip: Uint32Array): Int32Array {
  const n = cands.length
  let src: Int32Array = cands
  let dst: Int32Array = new Int32Array(n)
  const count = new Int32Array(65536)
  for (let shift = 0; shift <= 16; shift += 16) {
    count.fill(0)
    for (let k = 0; k < n; k++) count[(ip[src[k]] >>> shift) & 0xffff]++
    let sum = 0
    for (let d = 0; d < 65536; d++) {
      const c = count[d]
      count[d] = sum
      sum += c
    }
    for (let k = 0; k < n; k++) {
      const c = src[k]
      dst[count[(ip[c] >>> shift) & 0xffff]++] = c
    }
    const tmp = src
    src = dst
    dst = tmp === cands ? new Int32Array(n) : tmp
  }
  return src
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
