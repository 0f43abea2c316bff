import {HaError} from '../errors.js'
import {ExitCode} from '../exit-codes.js'
import {latin1, type LeaseTable, R_FAMILY, R_RANK, R_H1, R_H2, R_IP4, R_LEN, R_START, REC} from './table.js'

const NL = 10
const SP = 32

/**
 * Parses dnsmasq's lease file (src/lease.c): `EXPIRY MAC IP HOST|* CLIENTID|*` lines, a
 * `duid SERVER-DUID` line, and `EXPIRY [T]IAID IPv6 HOST|* DUID|*` lines.
 * Stricter than dnsmasq, which skips what it cannot read: a bad line is an error naming
 * NAME:LINE, and a file whose last line has no newline is refused as truncated (dnsmasq rewrites
 * the file in place, so a copy taken mid-write ends mid-line). An empty file is an empty database.
 * Hand-written byte scanning with no string per lease: merging two 100k-lease files must keep
 * up with sort(1).
 */
export function parseLeaseFile(bytes: Uint8Array, name: string): LeaseTable {
  if (!primed) prime()
  // A plain Uint8Array over the same memory (a Node Buffer is a subclass): the parse loop then
  // sees one kind of array, the primer's and every file's, and stays optimized across files.
  const buf = bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const n = buf.length
  if (n > 0 && buf[n - 1] !== NL) {
    let lines = 1
    for (let i = 0; i < n; i++) if (buf[i] === NL) lines++
    throw bad(name, lines, 'no newline at the end of the file: truncated copy, refused')
  }
  let t = alloc(name, buf, Math.max(64, (n / 48) | 0)) // a typical IPv4 line is 50-80 bytes: rarely grows
  // state: [pos, lineNo, count, duid start, duid end, lowest IPv4 | 0, highest IPv4 | 0, IPv6 leases];
  // scan() stops to grow the table or at a bad line.
  const state = new Int32Array([0, 0, 0, -1, -1, -1, 0, 0])
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  for (;;) {
    const r = scan(buf, view, t, state)
    if (r === DONE) break
    if (r === FULL) {
      t = grow(t, (t.rec.length / REC) * 4)
      continue
    }
    throw lineError(buf, name, state[1], state[0], r)
  }
  t.count = state[2]
  if (state[3] >= 0) t.serverDuid = latin1(buf, state[3], state[4])
  t.v4Lo = state[5] >>> 0
  t.v4Hi = state[6] >>> 0
  t.v6 = state[7]
  return t
}

/**
 * One line of every form, parsed a few times before the first real file (V8 records what a
 * function does only from about its eighth call). dnsmasq writes its IPv6 leases and the `duid`
 * line after the IPv4 ones: without this, the optimized parse loop meets code it has never run at
 * the end of the first file, throws itself away, and parses the next file at half speed.
 */
const PRIMER = '0 52:54:00:00:00:01 10.0.0.1 h *\n1 06-00:00:00:00:00:02 10.0.0.2 * 01:aa\nduid 00:01\n1 1 fd00::1 h 00:01\n1 T2 fd00::2 * *\n'
let primed = false
function prime(): void {
  primed = true
  const buf = new Uint8Array(PRIMER.length)
  for (let i = 0; i < buf.length; i++) buf[i] = PRIMER.charCodeAt(i)
  for (let k = 0; k < 12; k++) parseLeaseFile(buf, 'primer')
}

const DONE = 0
const FULL = -1
const E_EMPTY = 1
const E_EXPIRY = 2
const E_FIELDS = 3
const E_MORE = 4
const E_HWADDR = 5
const E_ADDRESS = 6
const E_IAID = 7
const E_HOST = 8
const E_CLIENT = 9
const E_DUID = 10

/**
 * The hot loop, kept small and free of error formatting so V8 optimizes it early (a cold run
 * parses once). Returns DONE, FULL (state holds where to resume), or an error code for the line
 * at state[0].
 */
function scan(buf: Uint8Array, view: DataView, t: LeaseTable, state: Int32Array): number {
  const n = buf.length
  const {rec, recF} = t
  const cap = rec.length / REC
  let pos = state[0]
  let lineNo = state[1]
  let count = state[2]
  let lo = state[5] >>> 0
  let hi = state[6] >>> 0
  let v6 = state[7]
  while (pos < n) {
    if (count === cap) {
      state[0] = pos
      state[1] = lineNo
      state[2] = count
      state[5] = lo | 0
      state[6] = hi | 0
      state[7] = v6
      return FULL
    }
    lineNo++
    state[0] = pos
    state[1] = lineNo
    const end = buf.indexOf(NL, pos)
    // field 1: expiry, or the word "duid"
    let p = pos
    let expiry = 0
    while (p < end && buf[p] >= 48 && buf[p] <= 57) expiry = expiry * 10 + (buf[p++] - 48)
    if (p === pos || buf[p] !== SP || p - pos > 15) {
      if (end - pos > 5 && buf[pos] === 100 && buf[pos + 1] === 117 && buf[pos + 2] === 105 && buf[pos + 3] === 100 && buf[pos + 4] === SP) {
        if (hexBytes(buf, pos + 5, end) !== end) return E_DUID
        state[3] = pos + 5
        state[4] = end
        pos = end + 1
        continue
      }
      return end === pos ? E_EMPTY : E_EXPIRY
    }
    const sp1 = p
    // field 2: a MAC on IPv4 lines (validated while finding its end), an IAID on IPv6 lines
    const macEnd = mac(buf, sp1 + 1, end)
    const sp2 = macEnd > 0 && buf[macEnd] === SP ? macEnd : nextSpace(buf, sp1 + 1, end)
    if (sp2 === end) return E_FIELDS
    // field 3: the address decides the line's kind
    let ip = 0
    let octet = 0
    let digits = 0
    let dots = 0
    let q = sp2 + 1
    let v4 = true
    for (; q < end; q++) {
      const c = buf[q]
      if (c === SP) break
      if (c === 46) {
        if (digits === 0) { v4 = false; break }
        ip = ip * 256 + octet
        dots++
        octet = 0
        digits = 0
      } else if (c >= 48 && c <= 57) {
        if (digits > 0 && octet === 0) { v4 = false; break }
        octet = octet * 10 + (c - 48)
        digits++
        if (octet > 255) { v4 = false; break }
      } else {
        v4 = false
        break
      }
    }
    v4 = v4 && dots === 3 && digits > 0
    const sp3 = v4 ? q : nextSpace(buf, sp2 + 1, end)
    if (sp3 === end) return E_FIELDS
    if (v4) {
      ip = ip * 256 + octet
      if (macEnd !== sp2) return E_HWADDR
    } else {
      if (!isIpv6At(buf, sp2 + 1, sp3)) return E_ADDRESS
      if (!iaid(buf, sp1 + 1, sp2)) return E_IAID
      ip = 0
    }
    // field 4: hostname or '*'
    let sp4 = sp3 + 1
    while (sp4 < end && buf[sp4] > SP && buf[sp4] !== 127) sp4++
    if (sp4 === end) return E_FIELDS
    if (sp4 === sp3 + 1 || buf[sp4] !== SP) return E_HOST
    // field 5: client id / DUID or '*'
    const star = buf[sp4 + 1] === 42 && sp4 + 2 === end
    const last = star ? end : hexBytes(buf, sp4 + 1, end)
    if (last !== end) return nextSpace(buf, sp4 + 1, end) !== end ? E_MORE : E_CLIENT
    const o = count * REC
    recF[(o + R_RANK) >> 1] = expiry === 0 ? Infinity : expiry
    rec[o + R_START] = pos
    rec[o + R_LEN] = end - pos
    rec[o + R_IP4] = ip | 0
    rec[o + R_FAMILY] = v4 ? 4 : 6
    // The client: client id, else MAC (IPv4); DUID + IAID, else the address (IPv6).
    if (v4) clientHash(buf, view, rec, o, star ? 1 : 2, star ? sp1 + 1 : sp4 + 1, star ? sp2 : end, 0, 0)
    else if (star) clientHash(buf, view, rec, o, 3, sp2 + 1, sp3, 0, 0)
    else clientHash(buf, view, rec, o, 4, sp4 + 1, end, sp1 + 1, sp2)
    if (v4) {
      if (ip < lo) lo = ip
      if (ip > hi) hi = ip
    } else v6++
    count++
    pos = end + 1
  }
  state[0] = pos
  state[1] = lineNo
  state[2] = count
  state[5] = lo | 0
  state[6] = hi | 0
  state[7] = v6
  return DONE
}

/** The message for a line scan() refused, naming NAME:LINE and the offending field. */
function lineError(buf: Uint8Array, name: string, lineNo: number, pos: number, code: number): HaError {
  let end = pos
  while (end < buf.length && buf[end] !== NL) end++
  const fields = latin1(buf, pos, end).split(' ')
  const f = (i: number) => JSON.stringify((fields[i] ?? '').slice(0, 80))
  const v4 = !(fields[2] ?? '').includes(':')
  switch (code) {
    case E_EMPTY: return bad(name, lineNo, 'empty line')
    case E_EXPIRY: return bad(name, lineNo, `bad expiry ${f(0)}`)
    case E_MORE: return bad(name, lineNo, 'more than 5 fields')
    case E_HWADDR: return bad(name, lineNo, `bad hardware address ${f(1)}`)
    case E_ADDRESS: return bad(name, lineNo, `bad address ${f(2)}`)
    case E_IAID: return bad(name, lineNo, `bad IAID ${f(1)}`)
    case E_HOST: return bad(name, lineNo, `bad hostname ${f(3)}`)
    case E_CLIENT: return bad(name, lineNo, `bad ${v4 ? 'client id' : 'client DUID'} ${JSON.stringify(fields.slice(4).join(' ').slice(0, 80))}`)
    case E_DUID: return bad(name, lineNo, `bad server DUID ${f(1)}`)
    default: return bad(name, lineNo, 'expected 5 space-separated fields')
  }
}

/** Parses text (as read with the 'latin1' encoding, so every byte survives). */
export function parseLeaseText(text: string, name: string): LeaseTable {
  const buf = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) buf[i] = text.charCodeAt(i)
  return parseLeaseFile(buf, name)
}

export const emptyLeaseTable = (name: string): LeaseTable => ({...alloc(name, new Uint8Array(0), 0)})

function alloc(name: string, buf: Uint8Array, cap: number): LeaseTable {
  const rec = new Int32Array(cap * REC)
  return {name, buf, count: 0, rec, recF: new Float64Array(rec.buffer), v4Lo: 2 ** 32 - 1, v4Hi: 0, v6: 0}
}

function grow(t: LeaseTable, cap: number): LeaseTable {
  const g = alloc(t.name, t.buf, cap)
  g.rec.set(t.rec)
  if (t.serverDuid !== undefined) g.serverDuid = t.serverDuid
  return g
}

/**
 * Two independent 32-bit hashes of a client's identifying bytes (kind, then bytes from..to, then
 * from2..to2), into record o: the merge compares clients by these 64 bits (a false match needs a
 * 2^-64 coincidence) and never goes back to the bytes. Computed here, while the line is in cache.
 * '| 0x20' folds the case of hex letters and leaves digits, ':' and '-' (the IAID is digits).
 */
function clientHash(buf: Uint8Array, view: DataView, rec: Int32Array, o: number, kind: number, from: number, to: number, from2: number, to2: number): void {
  let h1 = Math.imul(0x811c9dc5 ^ kind ^ ((to - from) << 3), 16777619)
  let h2 = Math.imul(0x5bd1e995 ^ kind ^ ((to - from) << 3), 0x27d4eb2d)
  let k = from
  for (; k + 4 <= to; k += 4) {
    const w = view.getInt32(k) | 0x20202020
    h1 = Math.imul(h1 ^ w, 16777619)
    h2 = Math.imul((h2 ^ w) + (h2 >>> 15), 0x27d4eb2d)
  }
  for (; k < to; k++) {
    const b = buf[k] | 0x20
    h1 = Math.imul(h1 ^ b, 16777619)
    h2 = Math.imul((h2 ^ b) + (h2 >>> 15), 0x27d4eb2d)
  }
  for (k = from2; k < to2; k++) {
    const b = buf[k]
    h1 = Math.imul(h1 ^ b, 16777619)
    h2 = Math.imul((h2 ^ b) + (h2 >>> 15), 0x27d4eb2d)
  }
  rec[o + R_H1] = avalanche(h1)
  rec[o + R_H2] = avalanche(h2 ^ (h2 >>> 13))
}

/** murmur3's finalizer: a bijection, so it adds no collisions; it spreads every input bit over the low bits a hash table indexes by. */
export function avalanche(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

function bad(name: string, line: number, why: string): HaError {
  return new HaError(`${name}:${line}: ${why}`, ExitCode.FAILED, {kind: 'bad-lease-file'})
}

function nextSpace(buf: Uint8Array, from: number, end: number): number {
  let i = from
  while (i < end && buf[i] !== SP) i++
  return i
}

/** 1 for the bytes of hex digits: one load instead of three range tests, and a smaller hot loop for V8 to compile (a cold run parses most of the first file before its optimized code is ready). */
const HEX = new Uint8Array(256)
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1

function hex(c: number): boolean {
  return HEX[c] === 1
}

/** "aa:bb:0c" as dnsmasq prints byte strings; returns where it stops (== to when all of it is that). */
function hexBytes(buf: Uint8Array, from: number, to: number): number {
  let i = from
  for (;;) {
    if (i + 2 > to || !hex(buf[i]) || !hex(buf[i + 1])) return -1
    i += 2
    if (i === to || buf[i] !== 58) return i
    i++
  }
}

/** A MAC: hex bytes, optionally after a hardware type ("06-"), as lease_update_file() writes it; returns where it stops. */
function mac(buf: Uint8Array, from: number, to: number): number {
  if (to - from >= 3 && buf[from + 2] === 45) {
    if (!hex(buf[from]) || !hex(buf[from + 1])) return -1
    return from + 3 === to || buf[from + 3] === SP ? from + 3 : hexBytes(buf, from + 3, to)
  }
  return hexBytes(buf, from, to)
}

function iaid(buf: Uint8Array, from: number, to: number): boolean {
  let i = buf[from] === 84 ? from + 1 : from // 'T' = temporary address (IA_TA)
  if (i === to || to - i > 10) return false
  for (; i < to; i++) if (buf[i] < 48 || buf[i] > 57) return false
  return true
}

/**
 * An IPv6 address in buf[from..to): up to eight groups of 1-4 hex digits separated by ':', at
 * most one '::' standing for one or more zero groups, optionally ending in a dotted IPv4 address
 * (two groups' worth), as inet_ntop writes them and people type them. Checked on the bytes: no
 * string per lease.
 */
function isIpv6At(buf: Uint8Array, from: number, to: number): boolean {
  if (to - from < 2 || to - from > 45) return false
  let groups = 0
  let gap = false
  let k = from
  if (buf[k] === 58) { // a leading ':' only as '::'
    if (buf[k + 1] !== 58) return false
    gap = true
    k += 2
  }
  while (k < to) {
    let j = k
    while (j < to && hex(buf[j])) j++
    if (j < to && buf[j] === 46) { // the dotted IPv4 tail, which must end the address
      if (!dottedQuad(buf, k, to)) return false
      groups += 2
      break
    }
    if (j === k || j - k > 4) return false
    groups++
    if (j === to) break
    if (buf[j] !== 58) return false
    if (buf[j + 1] === 58) {
      if (gap) return false
      gap = true
      k = j + 2
    } else {
      k = j + 1
      if (k === to) return false // a trailing single ':'
    }
  }
  return gap ? groups <= 7 : groups === 8
}

/** Exactly buf[from..to) is a.b.c.d, each 0-255 in 1-3 digits. */
function dottedQuad(buf: Uint8Array, from: number, to: number): boolean {
  let parts = 0
  let digits = 0
  let v = 0
  for (let k = from; k <= to; k++) {
    if (k === to || buf[k] === 46) {
      if (digits === 0 || v > 255) return false
      parts++
      digits = 0
      v = 0
    } else if (buf[k] >= 48 && buf[k] <= 57 && digits < 3) {
      v = v * 10 + buf[k] - 48
      digits++
    } else return false
  }
  return parts === 4
}
