import {HaError} from '../errors.js'
import {ExitCode} from '../exit-codes.js'
import {latin1, type LeaseTable} from './table.js'

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
export function parseLeaseFile(buf: Uint8Array, name: string): LeaseTable {
  const n = buf.length
  if (n > 0 && buf[n - 1] !== NL) {
    let lines = 1
    for (let i = 0; i < n; i++) if (buf[i] === NL) lines++
    throw bad(name, lines, 'no newline at the end of the file: truncated copy, refused')
  }
  let cap = Math.max(64, (n / 48) | 0) // a typical IPv4 line is 50-80 bytes: rarely grows
  let t = alloc(name, buf, cap)
  let count = 0
  let lineNo = 0
  let pos = 0
  while (pos < n) {
    lineNo++
    const end = buf.indexOf(NL, pos)
    // field 1: expiry, or the word "duid"
    let p = pos
    let expiry = 0
    while (p < end && buf[p] >= 48 && buf[p] <= 57) expiry = expiry * 10 + (buf[p++] - 48)
    if (p === pos || buf[p] !== SP || p - pos > 15) {
      if (end - pos > 5 && buf[pos] === 100 && buf[pos + 1] === 117 && buf[pos + 2] === 105 && buf[pos + 3] === 100 && buf[pos + 4] === SP) {
        if (hexBytes(buf, pos + 5, end) !== end) throw bad(name, lineNo, `bad server DUID ${show(buf, pos + 5, end)}`)
        t.serverDuid = latin1(buf, pos + 5, end)
        pos = end + 1
        continue
      }
      throw bad(name, lineNo, end === pos ? 'empty line' : `bad expiry ${show(buf, pos, nextSpace(buf, pos, end))}`)
    }
    const sp1 = p
    const sp2 = nextSpace(buf, sp1 + 1, end)
    if (sp2 === end) throw bad(name, lineNo, 'expected 5 space-separated fields')
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
    if (sp3 === end) throw bad(name, lineNo, 'expected 5 space-separated fields')
    if (v4) {
      ip = ip * 256 + octet
      if (mac(buf, sp1 + 1, sp2) !== sp2) throw bad(name, lineNo, `bad hardware address ${show(buf, sp1 + 1, sp2)}`)
    } else {
      if (!isIpv6(latin1(buf, sp2 + 1, sp3))) throw bad(name, lineNo, `bad address ${show(buf, sp2 + 1, sp3)}`)
      if (!iaid(buf, sp1 + 1, sp2)) throw bad(name, lineNo, `bad IAID ${show(buf, sp1 + 1, sp2)}`)
      ip = 0
    }
    // field 4: hostname or '*'
    let sp4 = sp3 + 1
    while (sp4 < end && buf[sp4] > SP && buf[sp4] !== 127) sp4++
    if (sp4 === sp3 + 1 || buf[sp4] !== SP) throw bad(name, lineNo, sp4 === end ? 'expected 5 space-separated fields' : `bad hostname ${show(buf, sp3 + 1, nextSpace(buf, sp3 + 1, end))}`)
    // field 5: client id / DUID or '*'
    const last = buf[sp4 + 1] === 42 && sp4 + 2 === end ? end : hexBytes(buf, sp4 + 1, end)
    if (last !== end) {
      if (nextSpace(buf, sp4 + 1, end) !== end) throw bad(name, lineNo, 'more than 5 fields')
      throw bad(name, lineNo, `bad ${v4 ? 'client id' : 'client DUID'} ${show(buf, sp4 + 1, end)}`)
    }
    if (count === cap) {
      cap *= 4
      t = grow(t, cap)
    }
    t.start[count] = pos
    t.sp1[count] = sp1
    t.sp2[count] = sp2
    t.sp3[count] = sp3
    t.sp4[count] = sp4
    t.end[count] = end
    t.expiry[count] = expiry
    t.family[count] = v4 ? 4 : 6
    t.ip4[count] = ip
    count++
    pos = end + 1
  }
  t.count = count
  return t
}

/** Parses text (as read with the 'latin1' encoding, so every byte survives). */
export function parseLeaseText(text: string, name: string): LeaseTable {
  const buf = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) buf[i] = text.charCodeAt(i)
  return parseLeaseFile(buf, name)
}

export const emptyLeaseTable = (name: string): LeaseTable => ({...alloc(name, new Uint8Array(0), 0)})

function alloc(name: string, buf: Uint8Array, cap: number): LeaseTable {
  return {
    name, buf, count: 0,
    start: new Int32Array(cap), sp1: new Int32Array(cap), sp2: new Int32Array(cap), sp3: new Int32Array(cap), sp4: new Int32Array(cap), end: new Int32Array(cap),
    expiry: new Float64Array(cap), family: new Uint8Array(cap), ip4: new Float64Array(cap),
  }
}

function grow(t: LeaseTable, cap: number): LeaseTable {
  const g = alloc(t.name, t.buf, cap)
  g.start.set(t.start); g.sp1.set(t.sp1); g.sp2.set(t.sp2); g.sp3.set(t.sp3); g.sp4.set(t.sp4); g.end.set(t.end)
  g.expiry.set(t.expiry); g.family.set(t.family); g.ip4.set(t.ip4)
  if (t.serverDuid !== undefined) g.serverDuid = t.serverDuid
  return g
}

function bad(name: string, line: number, why: string): HaError {
  return new HaError(`${name}:${line}: ${why}`, ExitCode.FAILED, {kind: 'bad-lease-file'})
}

function show(buf: Uint8Array, from: number, to: number): string {
  return JSON.stringify(latin1(buf, from, Math.min(to, from + 80)))
}

function nextSpace(buf: Uint8Array, from: number, end: number): number {
  let i = from
  while (i < end && buf[i] !== SP) i++
  return i
}

function hex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)
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

/** A MAC: hex bytes, optionally after a hardware type ("06-"), as lease_update_file() writes it. */
function mac(buf: Uint8Array, from: number, to: number): number {
  if (to - from >= 3 && buf[from + 2] === 45) {
    if (!hex(buf[from]) || !hex(buf[from + 1])) return -1
    return to === from + 3 ? to : hexBytes(buf, from + 3, to)
  }
  return hexBytes(buf, from, to)
}

function iaid(buf: Uint8Array, from: number, to: number): boolean {
  let i = buf[from] === 84 ? from + 1 : from // 'T' = temporary address (IA_TA)
  if (i === to || to - i > 10) return false
  for (; i < to; i++) if (buf[i] < 48 || buf[i] > 57) return false
  return true
}

const IPV6 = /^[0-9a-fA-F:]*(:\d{1,3}(\.\d{1,3}){3})?$/
export function isIpv6(s: string): boolean {
  if (s.length < 2 || s.length > 45 || !IPV6.test(s)) return false
  const dbl = s.indexOf('::')
  if (dbl !== -1 && s.indexOf('::', dbl + 1) !== -1) return false
  const groups = s.split(':')
  if (!groups.every((g) => g.length <= 4 || g.includes('.'))) return false
  const width = groups.length + (s.includes('.') ? 1 : 0)
  return dbl !== -1 ? width <= 9 : width === 8
}
