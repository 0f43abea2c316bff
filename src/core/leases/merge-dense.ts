import {ID_INPUT, ID_SHIFT} from './candidate-id.js'
import {ClientSet} from './client-set.js'
import {compareLines, copyLines, viewOf} from './line-bytes.js'
import {emptyReport, LIST_LIMIT, listed, type MergeOptions, type MergeReport, type MergeResult, reportExpired, serverDuidLine} from './merge-result.js'
import {DEFAULT_SUBNETS, subnet4Memo} from './subnets.js'
import {leaseAt, leaseLine, type LeaseTable, R_FAMILY, R_H1, R_H2, R_IP4, R_LEN, R_RANK, R_START, REC} from './table.js'

/**
 * Addresses spread over more than this many slots per lease, plus a /16's worth, go to the
 * general merge: a DHCP range is dense, so the table below stays about as big as the leases.
 */
const SLOTS_PER_LEASE = 2
const SLOTS_FREE = 65_536

/** A slot's second int32: the winner's line length << 4 | these flags. */
const HAS_BASE = 1 // the first input had a live lease at this address
const DIFFERS = 2 // ... and the winner is not that lease's line
const CONTESTED = 4 // a second client's lease is here too (Inputs.lost holds the losing one)
const TOUCHED = 8 // a lease of another input than the first was here, won or lost

/**
 * The merge for the case two healthy peers produce: IPv4 addresses densely numbered (a DHCP
 * range), each client on one address (per subnet) in all inputs, each address held by one client,
 * or, after a split brain, by the first input's client and one other input's client (a pair, as
 * the general merge's settlePair sees it). Then address order
 * is a table indexed by address - lowest, each address's winner is settled as its leases arrive
 * (one sequential pass over each input's records, no sort), and what changed relative to the
 * first input is known per address. IPv6 leases are a separate merge (no client is both: see
 * clientKey), handed to `general` as tables of their own; its output follows the IPv4 lines.
 * The result is the general merge's, byte for byte, report included (test/unit/leases/merge.test.ts
 * compares the two). Returns undefined as soon as the IPv4 leases are not that case.
 */
export function mergeDense(tables: readonly LeaseTable[], opts: MergeOptions, general: (ipv6: LeaseTable[]) => MergeResult): MergeResult | undefined {
  let lo = 2 ** 32 - 1
  let hi = 0
  let total = 0
  let v6 = 0
  for (const t of tables) {
    total += t.count
    v6 += t.v6
    if (t.count > t.v6) {
      lo = Math.min(lo, t.v4Lo)
      hi = Math.max(hi, t.v4Hi)
    }
  }
  if (hi - lo >= SLOTS_PER_LEASE * total + SLOTS_FREE) return undefined
  const span = Math.max(0, hi - lo + 1) // 0 when there is no IPv4 lease at all
  // Per address: ~cid of the winning lease (0 = none yet; ~ keeps every id nonzero), then its
  // length and flags. Both in one cache line.
  const slots = new Int32Array(span * 2)
  // Sized for every lease: after a split brain each address has two clients.
  const clients = new ClientSet(total)
  const report = emptyReport()
  const inputs: Inputs = {tables, views: tables.map(viewOf), subnetOf: subnet4Memo(opts.subnets ?? DEFAULT_SUBNETS, lo, hi), sub: new Int32Array(2), detail: opts.detail !== false, span}
  // Per input, its live IPv6 leases as the records they will have in a table of their own.
  const v6recs = tables.map((t) => new Int32Array(t.v6 * REC))
  const v6counts = new Int32Array(tables.length)
  for (let f = 0; f < tables.length; f++) if (!place(inputs, f, lo, slots, clients, opts.now, report, v6recs[f], v6counts)) return undefined
  const ipv6 = v6 > 0 ? general(tables.map((t, f) => ipv6Table(t, v6recs[f], v6counts[f]))) : undefined
  return output(tables, slots, span, lo, report, opts, ipv6, inputs.lost)
}

/** subnetOf: an address's subnet (subnets.ts); sub: scratch for a subnet's two hashes. */
type Inputs = {
  tables: readonly LeaseTable[]; views: DataView[]; subnetOf: (ip: number, out: Int32Array) => void; sub: Int32Array; detail: boolean; span: number
  /** Per contested address, ~cid of the lease that lost it (made at the first contest: most merges have none). */
  lost?: Int32Array
}

/**
 * Puts input f's live IPv4 leases into their address's slot, in file order, copies its live IPv6
 * records to v6rec, and reports the first input's expired leases (of both families, as the
 * general merge does). False when the inputs
 * need the general merge: a client at a second address, two leases at one address in the first
 * input (the report must name the one dropped), or an address with more than the first input's
 * client and one other client's single lease. The first input and the others take two functions:
 * each loop is then compiled once with the feedback it needs (one function for both was compiled
 * for the first input, thrown away at the second's first contest, and compiled again).
 */
function place(inputs: Inputs, f: number, lo: number, slots: Int32Array, clients: ClientSet, now: number, report: MergeReport, v6rec: Int32Array, v6counts: Int32Array): boolean {
  return f === 0 ? placeFirst(inputs, lo, slots, clients, now, report, v6rec, v6counts) : placeOther(inputs, f, lo, slots, clients, now, v6rec, v6counts)
}

function placeFirst(inputs: Inputs, lo: number, slots: Int32Array, clients: ClientSet, now: number, report: MergeReport, v6rec: Int32Array, v6counts: Int32Array): boolean {
  const {tables, subnetOf, sub, detail} = inputs
  const t = tables[0]
  const {rec, recF, count} = t
  for (let i = 0; i < count; i++) {
    const o = i * REC
    if (recF[(o + R_RANK) >> 1] <= now) { // the expiry, Infinity for leases that never expire
      reportExpired(report, t, i, detail)
      continue
    }
    if (rec[o + R_FAMILY] !== 4) {
      const d = REC * v6counts[0]++
      for (let q = 0; q < REC; q++) v6rec[d + q] = rec[o + q]
      continue
    }
    const len = rec[o + R_LEN]
    if (len >= 1 << 27) return false // the slot keeps len << 4
    const ip = rec[o + R_IP4] >>> 0
    const s = (ip - lo) << 1
    if (slots[s] !== 0) return false
    // The client in this address's subnet: a client may hold one address per subnet.
    subnetOf(ip, sub)
    if (!clients.add(rec[o + R_H1] ^ sub[0], rec[o + R_H2] ^ sub[1])) return false
    slots[s] = ~(i << ID_SHIFT)
    slots[s + 1] = (len << 4) | HAS_BASE
  }
  return true
}

function placeOther(inputs: Inputs, f: number, lo: number, slots: Int32Array, clients: ClientSet, now: number, v6rec: Int32Array, v6counts: Int32Array): boolean {
  const {tables, views, subnetOf, sub} = inputs
  const t = tables[f]
  const {rec, recF, buf, count} = t
  const view = views[f]
  for (let i = 0; i < count; i++) {
    const o = i * REC
    const rank = recF[(o + R_RANK) >> 1]
    if (rank <= now) continue
    if (rec[o + R_FAMILY] !== 4) {
      const d = REC * v6counts[f]++
      for (let q = 0; q < REC; q++) v6rec[d + q] = rec[o + q]
      continue
    }
    const len = rec[o + R_LEN]
    if (len >= 1 << 27) return false
    const ip = rec[o + R_IP4] >>> 0
    const s = (ip - lo) << 1
    const w = slots[s]
    if (w === 0) {
      subnetOf(ip, sub)
      if (!clients.add(rec[o + R_H1] ^ sub[0], rec[o + R_H2] ^ sub[1])) return false
      slots[s] = ~((i << ID_SHIFT) | f)
      slots[s + 1] = len << 4
      continue
    }
    const meta = slots[s + 1]
    if ((meta & CONTESTED) !== 0) return false
    const wf = ~w & ID_INPUT
    const wo = (~w >>> ID_SHIFT) * REC
    const {rec: wr, recF: wrF, buf: wbuf} = tables[wf]
    // The later expiry wins, ties broken by the greater line (so input order does not matter).
    const wrank = wrF[(wo + R_RANK) >> 1]
    const wins = rank > wrank || (rank === wrank && compareLines(view, buf, rec[o + R_START], len, views[wf], wbuf, wr[wo + R_START], wr[wo + R_LEN]) > 0)
    const id = ~((i << ID_SHIFT) | f)
    if (wr[wo + R_H1] !== rec[o + R_H1] || wr[wo + R_H2] !== rec[o + R_H2]) {
      // Another client: settled here only against the first input's untouched lease, and only
      // while this client holds no other address in its subnet (else the general merge decides).
      if (wf !== 0 || (meta & TOUCHED) !== 0) return false
      subnetOf(ip, sub)
      if (!clients.add(rec[o + R_H1] ^ sub[0], rec[o + R_H2] ^ sub[1])) return false
      const lost = (inputs.lost ??= new Int32Array(inputs.span))
      if (wins) {
        lost[s >> 1] = w
        slots[s] = id
        slots[s + 1] = (len << 4) | HAS_BASE | CONTESTED | TOUCHED
      } else {
        lost[s >> 1] = id
        slots[s + 1] = meta | CONTESTED | TOUCHED
      }
      continue
    }
    if (wins) {
      slots[s] = id
      slots[s + 1] = (len << 4) | (meta & HAS_BASE) | DIFFERS | TOUCHED
    } else slots[s + 1] = meta | TOUCHED
  }
  return true
}

/** Input t's live IPv6 leases (their records, collected by place()) as a table of their own, on the same bytes. */
function ipv6Table(t: LeaseTable, rec: Int32Array, count: number): LeaseTable {
  return {name: t.name, buf: t.buf, count, rec, recF: new Float64Array(rec.buffer), serverDuid: t.serverDuid, v4Lo: 2 ** 32 - 1, v4Hi: 0, v6: count}
}

/**
 * Walks the slots in address order: output offsets and the report; then copies the lines
 * (line-bytes.ts: copyLines). The IPv6 merge's output (which carries the server DUID line)
 * follows; without one, the DUID line goes last.
 */
function output(tables: readonly LeaseTable[], slots: Int32Array, span: number, lo: number, report: MergeReport, opts: MergeOptions, ipv6: MergeResult | undefined, lost: Int32Array | undefined): MergeResult {
  const detail = opts.detail !== false
  const dest = tables.map((t) => new Int32Array(t.count))
  const changed: number[] = []
  let pos = 0
  let leases = 0
  for (let s = 0; s < span; s++) {
    const w = slots[s << 1]
    if (w === 0) continue
    const cid = ~w
    const meta = slots[(s << 1) + 1]
    dest[cid & ID_INPUT][cid >>> ID_SHIFT] = pos + 1
    pos += (meta >>> 4) + 1
    leases++
    if ((meta & CONTESTED) !== 0) {
      contested(tables, report, detail, ipv4(lo + s), cid, ~lost![s], changed)
      continue
    }
    if ((meta & HAS_BASE) === 0) {
      changed.push(cid)
      report.added++
      if (detail) report.addedIps.push(ipv4(lo + s))
    } else if ((meta & DIFFERS) !== 0) {
      changed.push(cid)
      report.updated++
      if (detail) report.updatedIps.push(ipv4(lo + s))
    }
  }
  const tail = ipv6?.bytes ?? ascii(serverDuidLine(tables, opts) ?? '')
  const out = new Uint8Array(pos + tail.length)
  for (let f = 0; f < tables.length; f++) copyLines(tables[f], dest[f], out)
  out.set(tail, pos)
  const v4Changed = () => changed.map((id) => leaseAt(tables[id & ID_INPUT], id >>> ID_SHIFT))
  report.leases = leases
  if (ipv6 === undefined) return {bytes: out, report, changed: v4Changed, path: 'dense'}
  const r6 = ipv6.report
  return {
    bytes: out,
    report: {
      leases: leases + r6.leases, added: report.added + r6.added, updated: report.updated + r6.updated, dropped: report.dropped + r6.dropped,
      addedIps: [...report.addedIps, ...r6.addedIps], updatedIps: [...report.updatedIps, ...r6.updatedIps],
      // Without detail each list holds its first LIST_LIMIT, as the general merge's does.
      droppedLeases: [...report.droppedLeases, ...r6.droppedLeases].slice(0, detail ? undefined : LIST_LIMIT),
      conflicts: [...report.conflicts, ...r6.conflicts].slice(0, detail ? undefined : LIST_LIMIT), conflicted: report.conflicted + r6.conflicted,
    },
    changed: () => [...v4Changed(), ...ipv6.changed()],
    path: 'dense',
  }
}

/**
 * Two clients' leases at one address, `won` (cid) and `lost` (cid): reported as the general
 * merge's settlePair does, so that both merges give the same report.
 */
function contested(tables: readonly LeaseTable[], report: MergeReport, detail: boolean, ip: string, won: number, lost: number, changed: number[]): void {
  const line = (cid: number) => leaseLine(tables[cid & ID_INPUT], cid >>> ID_SHIFT)
  report.conflicted++
  if (listed(report.conflicts, detail)) report.conflicts.push({ip, kept: line(won), lost: line(lost), reason: 'address held by another client with a later lease'})
  if ((lost & ID_INPUT) === 0) {
    report.dropped++
    if (listed(report.droppedLeases, detail)) report.droppedLeases.push({ip, reason: 'conflict', lease: line(lost)})
  }
  if ((won & ID_INPUT) === 0) return // the base's lease stays
  changed.push(won)
  report.added++
  if (detail) report.addedIps.push(ip)
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0))

/** The parser only accepts dotted quads without leading zeros, so this is the text the file has. */
const ipv4 = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
