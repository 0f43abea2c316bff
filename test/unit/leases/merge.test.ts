// The semantic merge: the rules one by one on fixtures, then properties on random databases checked
// against a plain reference implementation of the same rules.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {HaError} from '../../../src/core/errors.js'
import {ipv6Words, mergeLeaseTables} from '../../../src/core/leases/merge.js'
import {parseLeaseText} from '../../../src/core/leases/parse.js'
import {parseSubnets} from '../../../src/core/leases/subnets.js'
import {leasesOf} from '../../../src/core/leases/table.js'
import {clientKey, type Lease} from '../../../src/core/leases/types.js'

const NOW = 1_700_000_000
const T = (text: string, name = 'F') => parseLeaseText(text, name)
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1')
const merge = (files: string[], opts: Partial<Parameters<typeof mergeLeaseTables>[1]> = {}) => {
  const r = mergeLeaseTables(files.map((f, i) => T(f, `f${i}`)), {now: NOW, ...opts})
  return {...r, text: text(r.bytes)}
}
const line = (exp: number, mac: string, ip: string, host = '*', cid = '*') => `${exp} ${mac} ${ip} ${host} ${cid}\n`
const A = '52:54:00:00:00:0a'
const B = '52:54:00:00:00:0b'

describe('mergeLeaseTables: rules', () => {
  test('one lease per address: the later expiry wins, and the report says updated', () => {
    const r = merge([line(NOW + 100, A, '10.0.0.5'), line(NOW + 900, A, '10.0.0.5')])
    assert.equal(r.text, line(NOW + 900, A, '10.0.0.5'))
    assert.deepEqual([r.report.added, r.report.updated, r.report.dropped, r.report.updatedIps], [0, 1, 0, ['10.0.0.5']])
  })

  test('expiry 0 (infinite) beats any finite expiry', () => {
    assert.equal(merge([line(NOW + 99999, A, '10.0.0.5'), line(0, A, '10.0.0.5')]).text, line(0, A, '10.0.0.5'))
    assert.equal(merge([line(0, A, '10.0.0.5'), line(NOW + 99999, A, '10.0.0.5')]).text, line(0, A, '10.0.0.5'))
  })

  test('expired leases are dropped (and reported when they were the base file\'s)', () => {
    const r = merge([line(NOW - 1, A, '10.0.0.5') + line(NOW, B, '10.0.0.6'), line(NOW - 5, '52:54:00:00:00:0c', '10.0.0.7')])
    assert.equal(r.text, '')
    assert.deepEqual(r.report.droppedLeases.map((d) => [d.ip, d.reason]), [['10.0.0.5', 'expired'], ['10.0.0.6', 'expired']])
  })

  test('exact duplicates collapse to one line (what sort -u does, and no more)', () => {
    const l = line(NOW + 10, A, '10.0.0.5', 'h')
    const r = merge([l + l, l])
    assert.equal(r.text, l)
    assert.deepEqual([r.report.added, r.report.updated, r.report.conflicts.length], [0, 0, 0])
  })

  test('one client on two addresses: the newest lease is kept, the other is a conflict', () => {
    const r = merge([line(NOW + 100, A, '10.0.0.5'), line(NOW + 200, A, '10.0.0.9')])
    assert.equal(r.text, line(NOW + 200, A, '10.0.0.9'))
    assert.equal(r.report.conflicts.length, 1)
    assert.match(r.report.conflicts[0].reason, /client has a later lease on 10\.0\.0\.9/)
    assert.deepEqual(r.report.droppedLeases.map((d) => [d.ip, d.reason]), [['10.0.0.5', 'conflict']])
    assert.deepEqual(r.report.addedIps, ['10.0.0.9'])
  })

  test('one IPv4 client on two subnets keeps a lease on each, even in one file; two addresses in one subnet are a conflict', () => {
    // dnsmasq with two dhcp-ranges hands one client a lease on each.
    const two = line(NOW + 100, A, '10.0.0.5') + line(NOW + 200, A, '10.0.1.5')
    for (const general of [false, true]) {
      const r = merge([two], {general})
      assert.equal(r.text, two, `general: ${general}`)
      assert.deepEqual([r.report.conflicts, r.report.dropped], [[], 0])
    }
    assert.equal(merge([two]).path, 'dense')
    // The rule: an address no configured prefix contains is in its /24; a configured prefix widens (or narrows) that.
    const wide = {subnets: parseSubnets(['10.0.0.0/16'])}
    assert.equal(merge([two], wide).text, line(NOW + 200, A, '10.0.1.5'))
    assert.match(merge([two], wide).report.conflicts[0].reason, /client has a later lease on 10\.0\.1\.5/)
    assert.equal(merge([two], {...wide, general: true}).text, line(NOW + 200, A, '10.0.1.5'))
    const narrow = line(NOW + 100, A, '10.0.0.5') + line(NOW + 200, A, '10.0.0.200')
    assert.equal(merge([narrow]).text, line(NOW + 200, A, '10.0.0.200'))
    assert.equal(merge([narrow], {subnets: parseSubnets(['10.0.0.128/25', '10.0.0.0/25'])}).text, narrow)
    // Across two peers' files alike: a client on two subnets, renewed on one side.
    const peer = line(NOW + 300, A, '10.0.1.5')
    assert.equal(merge([two, peer]).text, line(NOW + 100, A, '10.0.0.5') + peer)
  })

  test('one DHCPv6 IA with an address per prefix (dnsmasq 2.90: fd00:1::131 and fd00:2::131) keeps them all', () => {
    const ia = 'duid 00:01:00:01:aa:bb\n' + `${NOW + 100} 1245 fd00:1::131 * 00:01:00:01:2f:00\n` + `${NOW + 100} 1245 fd00:2::131 * 00:01:00:01:2f:00\n`
    for (const general of [false, true]) assert.equal(merge([ia], {general}).text, ia)
    // Two addresses of one IA in one /64 are a conflict; a configured /16 makes the two prefixes one.
    const same = 'duid 00:01\n' + `${NOW + 100} 7 fd00:1::131 * 00:01:aa\n` + `${NOW + 200} 7 fd00:1::132 * 00:01:aa\n`
    assert.equal(merge([same]).text, 'duid 00:01\n' + `${NOW + 200} 7 fd00:1::132 * 00:01:aa\n`)
    assert.equal(merge([ia], {subnets: parseSubnets(['fd00::/16'])}).report.conflicts.length, 1)
  })

  test('parseSubnets: IPv4 and IPv6 prefixes, host bits ignored; anything else named', () => {
    const r = parseSubnets(['192.168.1.1/24', 'fd00:1::/64', '10.0.0.0/8', '::/0'])
    assert.deepEqual(r.v4, [{net: 0xc0a80100, len: 24}, {net: 0x0a000000, len: 8}])
    assert.deepEqual(r.v6.map((s) => [s.words, s.len]), [[[0xfd000001, 0, 0, 0], 64], [[0, 0, 0, 0], 0]])
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '300.0.0.0/8', 'fd00::/129', 'fd00:::1/64', 'lan/24', '1:2:3:4:5:6:7:8:9/64']) {
      assert.throws(() => parseSubnets([bad]), (e: unknown) => e instanceof HaError && e.message.includes(JSON.stringify(bad)), bad)
    }
  })

  test('a client is its client id when it has one: same MAC with two client ids are two clients', () => {
    const r = merge([line(NOW + 100, A, '10.0.0.5', '*', '01:aa'), line(NOW + 200, A, '10.0.0.9', '*', '01:bb')])
    assert.equal(r.text, line(NOW + 100, A, '10.0.0.5', '*', '01:aa') + line(NOW + 200, A, '10.0.0.9', '*', '01:bb'))
    // ...and the same client id on two MACs is one client; hex case does not matter.
    const s = merge([line(NOW + 100, A, '10.0.0.5', '*', '01:AA'), line(NOW + 200, B, '10.0.0.9', '*', '01:aa')])
    assert.equal(s.text, line(NOW + 200, B, '10.0.0.9', '*', '01:aa'))
  })

  test('two clients on one address: the later lease keeps it, the other is reported', () => {
    const r = merge([line(NOW + 300, A, '10.0.0.5', 'a'), line(NOW + 100, B, '10.0.0.5', 'b')])
    assert.equal(r.text, line(NOW + 300, A, '10.0.0.5', 'a'))
    assert.deepEqual(r.report.conflicts.map((c) => [c.ip, c.reason]), [['10.0.0.5', 'address held by another client with a later lease']])
    // Seen from the other side, the base file's lease was lost to the peer's.
    const s = merge([line(NOW + 100, B, '10.0.0.5', 'b'), line(NOW + 300, A, '10.0.0.5', 'a')])
    assert.deepEqual(s.report.droppedLeases.map((d) => [d.ip, d.reason]), [['10.0.0.5', 'conflict']])
    assert.deepEqual(s.report.addedIps, ['10.0.0.5'])
  })

  test('a freed address goes to the next client in line (greedy, not two independent passes)', () => {
    // A holds .5 (newest) and .6; B's .6 is older than A's .6 but A keeps .5, so B gets .6.
    const r = merge([line(NOW + 900, A, '10.0.0.5') + line(NOW + 500, A, '10.0.0.6'), line(NOW + 400, B, '10.0.0.6')])
    assert.equal(r.text, line(NOW + 900, A, '10.0.0.5') + line(NOW + 400, B, '10.0.0.6'))
  })

  test('many clients competing for few addresses: one lease per address, the latest, every other one a conflict', () => {
    const mac = (i: number) => `52:54:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`
    let db = ''
    for (let i = 0; i < 200; i++) db += line(NOW + 100 + i, mac(i), `10.0.0.${i % 2}`)
    const r = merge([db])
    assert.equal(r.text, line(NOW + 298, mac(198), '10.0.0.0') + line(NOW + 299, mac(199), '10.0.0.1'))
    assert.equal(r.report.conflicts.length, 198)
    assert.equal(r.report.dropped, 198)
  })

  test('IPv6 keeps the server DUID line between the IPv4 and IPv6 leases; clients are DUID + IAID', () => {
    const v6a = '1800000000 11 fd00::20 * 00:01:aa\n'
    const v6b = '1800000500 12 fd00::20 * 00:01:aa\n' // same DUID, other IAID: another client
    const v6c = '1800000900 11 fd00::21 * 00:01:AA\n' // same client as v6a, later: wins
    const r = merge([line(NOW + 5, A, '10.0.0.5') + 'duid 00:03:00:01:aa:bb\n' + v6a, 'duid 00:03:00:01:cc:dd\n' + v6b + v6c])
    assert.equal(r.text, line(NOW + 5, A, '10.0.0.5') + 'duid 00:03:00:01:aa:bb\n' + v6b + v6c)
    assert.equal(merge(['duid 00:03:00:01:aa:bb\n']).text, 'duid 00:03:00:01:aa:bb\n')
  })

  test('output order: IPv4 numerically, IPv6 by address', () => {
    const r = merge([line(NOW + 5, A, '10.0.0.10') + line(NOW + 5, B, '9.255.0.1') + '1800000000 1 fd00::a * 00:02\n' + '1800000000 1 fd00::9 * 00:01\n'])
    assert.deepEqual(leasesOf(T(r.text)).map((l) => l.ip), ['9.255.0.1', '10.0.0.10', 'fd00::9', 'fd00::a'])
  })

  test('after a split brain (every address held by another client on each side): each address to its later lease, conflicts by address; without detail the lists are cut, not the counts', () => {
    const mac = (i: number, side: number) => `52:54:00:${side}0:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`
    const sides = [0, 1].map((side) => Array.from({length: 300}, (_, i) => line(NOW + 100 + ((i * 7 + side * 13) % 50), mac(i, side), `10.0.${i >> 8}.${i & 255}`)).reverse().join(''))
    const full = merge(sides)
    assert.equal(full.text, reference(sides))
    assert.equal(full.report.conflicted, full.report.conflicts.length)
    assert.ok(full.report.conflicted > 250, `${full.report.conflicted} conflicts`)
    const order = full.report.conflicts.map((c) => c.ip.split('.').reduce((a, o) => a * 256 + Number(o), 0))
    assert.deepEqual(order, [...order].sort((a, b) => a - b), 'conflicts in address order')
    const brief = merge(sides, {detail: false})
    assert.equal(brief.text, full.text)
    assert.deepEqual([brief.report.conflicted, brief.report.dropped, brief.report.added], [full.report.conflicted, full.report.dropped, full.report.added])
    assert.deepEqual(brief.report.conflicts, full.report.conflicts.slice(0, 20))
    assert.deepEqual(brief.report.droppedLeases, full.report.droppedLeases.slice(0, 20))
    assert.deepEqual(merge(sides, {detail: false, general: true}).report, brief.report)
    // One client of side 1 also on a second address of its subnet: the greedy pass (restart) gives the same as the reference.
    const mixed = [sides[0], sides[1] + line(NOW + 500, mac(7, 1), '10.0.0.250')]
    assert.equal(merge(mixed).text, reference(mixed))
  })

  test('lease_max: a result over dnsmasq\'s dhcp-lease-max is refused', () => {
    const two = line(NOW + 5, A, '10.0.0.1') + line(NOW + 5, B, '10.0.0.2')
    assert.equal(merge([two], {leaseMax: 2}).report.leases, 2)
    assert.throws(() => merge([two], {leaseMax: 1}), (e: unknown) => e instanceof HaError && e.kind === 'lease-max' && /2 leases, over dnsmasq.lease_max = 1/.test(e.message))
  })

  test('changed() lists exactly the added and updated leases', () => {
    const r = merge([line(NOW + 5, A, '10.0.0.1'), line(NOW + 9, A, '10.0.0.1') + line(NOW + 5, B, '10.0.0.2')])
    assert.deepEqual(r.changed().map((l) => l.line), [line(NOW + 9, A, '10.0.0.1').trimEnd(), line(NOW + 5, B, '10.0.0.2').trimEnd()])
  })

  test('expandIpv6 orders addresses', () => {
    assert.equal(expandIpv6('fd00::1'), 'fd00:0000:0000:0000:0000:0000:0000:0001')
    assert.equal(expandIpv6('::ffff:10.0.0.1'), '0000:0000:0000:0000:0000:ffff:0a00:0001')
  })
})

// ---- properties ----
/** Eight 4-digit lower-case groups, so string order is address order. */
function expandIpv6(ip: string): string {
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

describe('ipv6Words', () => {
  test('reads every spelling of an IPv6 address as the eight groups it stands for', () => {
    const spellings = ['::', '::1', '1::', 'fd00::', 'fd00::1', 'FD00::A:b', '1:2:3:4:5:6:7:8', '1::8', '1:2::7:8', '2001:db8:0:0:1::1', '::ffff:1.2.3.4', '64:ff9b::192.0.2.33', '1:2:3:4:5:6:10.0.0.1', 'fe80::1:0:0:0', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']
    for (const ip of spellings) {
      const buf = Buffer.from(` ${ip} `, 'latin1')
      const out = new Uint32Array(6).fill(7)
      ipv6Words(buf, 1, buf.length - 1, out, 1)
      const hex = [...out.subarray(1, 5)].map((w) => w.toString(16).padStart(8, '0')).join('').replace(/(.{4})(?!$)/g, '$1:')
      assert.equal(hex, expandIpv6(ip), ip)
      assert.deepEqual([out[0], out[5]], [7, 7], `${ip}: writes only its four words`)
    }
  })
})

function rng(seed: number) {
  let s = seed >>> 0
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32)
}

function randomDb(r: () => number, n: number): string {
  const pick = <X>(xs: X[]) => xs[Math.floor(r() * xs.length)]
  let out = ''
  for (let i = 0; i < n; i++) {
    const exp = pick([0, NOW - 10, NOW + 10, NOW + 20, NOW + Math.floor(r() * 50)])
    if (r() < 0.15) {
      out += `${exp} ${pick(['1', '2', 'T3'])} fd00:${pick(['', '0:0:1:'])}:${pick(['1', '2', 'a', '1:0'])} ${pick(['*', 'h6'])} ${pick(['*', '00:01:aa', '00:01:bb'])}\n`
    } else {
      out += `${exp} 52:54:00:00:00:0${pick(['1', '2', '3', 'A', 'a'])} 10.0.${pick(['0', '1'])}.${pick(['1', '2', '3', '4'])} ${pick(['*', 'h', 'x'])} ${pick(['*', '*', '01:aa', '01:bb'])}\n`
    }
  }
  // dnsmasq's order: IPv4 lines, then IPv6 (the parser does not care; the reference below neither).
  return out
}

/**
 * The subnet a lease's address is in, the slow, obvious way (subnets.ts states the rule): the
 * longest configured prefix containing it, else its /24 (IPv4) or /64 (IPv6).
 */
function subnetOf(l: Lease, cidrs: readonly string[] = []): string {
  const bits = (ip: string): bigint => (ip.includes(':') ? BigInt(`0x${expandIpv6(ip).replaceAll(':', '')}`) : BigInt(ip.split('.').reduce((a, o) => a * 256 + Number(o), 0)))
  const width = l.family === 4 ? 32n : 128n
  const top = (x: bigint, len: number) => x >> (width - BigInt(len))
  const a = bits(l.ip)
  const inFamily = cidrs.map((c) => c.split('/')).filter(([ip]) => ip.includes(':') === (l.family === 6)).map(([ip, len]) => ({net: bits(ip), len: Number(len)}))
  inFamily.sort((x, y) => y.len - x.len)
  const hit = inFamily.find((s) => top(a, s.len) === top(s.net, s.len))
  const len = hit?.len ?? (l.family === 4 ? 24 : 64)
  return `${l.family}:${top(a, len)}/${len}`
}

/** A client in a subnet: one address each. */
const clientIn = (l: Lease, cidrs: readonly string[] = []) => `${clientKey(l)}@${subnetOf(l, cidrs)}`

/** The rules written the slow, obvious way: every lease ranked, taken when address and client (in its subnet) are free. */
function reference(dbs: string[], cidrs: readonly string[] = []): string {
  const all: Lease[] = dbs.flatMap((d, i) => leasesOf(T(d, `r${i}`))).filter((l) => l.expiry === 0 || l.expiry > NOW)
  const rank = (l: Lease) => (l.expiry === 0 ? Infinity : l.expiry)
  all.sort((a, b) => rank(b) - rank(a) || (a.line < b.line ? 1 : a.line > b.line ? -1 : 0))
  const ips = new Set<string>()
  const clients = new Set<string>()
  const kept: Lease[] = []
  for (const l of all) {
    const ip = l.family === 4 ? l.ip : expandIpv6(l.ip)
    if (ips.has(ip) || clients.has(clientIn(l, cidrs))) continue
    ips.add(ip)
    clients.add(clientIn(l, cidrs))
    kept.push(l)
  }
  const num = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0)
  const v4 = kept.filter((l) => l.family === 4).sort((a, b) => num(a.ip) - num(b.ip))
  const v6 = kept.filter((l) => l.family === 6).sort((a, b) => (expandIpv6(a.ip) < expandIpv6(b.ip) ? -1 : 1))
  return [...v4, ...v6].map((l) => `${l.line}\n`).join('')
}

describe('mergeLeaseTables: properties (300 random cases)', () => {
  test('equals the reference, is order-independent and idempotent, and its output has one lease per address and per client', () => {
    const r = rng(42)
    let dense = 0
    for (let k = 0; k < 300; k++) {
      const dbs = [randomDb(r, Math.floor(r() * 12)), randomDb(r, Math.floor(r() * 12)), randomDb(r, Math.floor(r() * 4))]
      const d = merge(dbs)
      const m = d.text
      assert.equal(m, reference(dbs), `case ${k}: ${JSON.stringify(dbs)}`)
      // Whichever path took it, the general merge gives the same output, report and changes.
      const g = merge(dbs, {general: true})
      assert.equal(g.text, m, `case ${k}: general merge`)
      assert.deepEqual(d.report, g.report, `case ${k}: report`)
      assert.deepEqual(d.changed(), g.changed(), `case ${k}: changed`)
      if (d.path === 'dense') dense++
      for (const order of [[1, 0, 2], [2, 1, 0], [0, 2, 1]]) assert.equal(merge(order.map((i) => dbs[i])).text, m, `case ${k}: order ${order}`)
      assert.equal(merge([m]).text, m, `case ${k}: idempotent`)
      assert.equal(merge([m, m]).text, m, `case ${k}: self-merge`)
      assert.equal(merge([m, ...dbs]).text, m, `case ${k}: merging the inputs again changes nothing`)
      const out = leasesOf(T(m))
      assert.equal(new Set(out.map((l) => expandIpv6(l.ip))).size, out.length)
      assert.equal(new Set(out.map((l) => clientIn(l))).size, out.length)
    }
    assert.ok(dense >= 10 && dense <= 290, `both merge paths exercised: dense in ${dense} of 300 cases`)
  })
})

describe('mergeLeaseTables: configured subnets (properties)', () => {
  test('with dnsmasq.subnets set, both merges equal the reference applying the same rule (300 random cases)', () => {
    const r = rng(1234)
    const rules = [['10.0.0.0/16'], ['10.0.1.0/25', 'fd00::/48'], ['10.0.0.0/30', '10.0.0.0/24', 'fd00::/128'], ['0.0.0.0/0', '::/0']]
    for (let k = 0; k < 300; k++) {
      const cidrs = rules[k % rules.length]
      const subnets = parseSubnets(cidrs)
      const dbs = [randomDb(r, Math.floor(r() * 12)), randomDb(r, Math.floor(r() * 12))]
      const d = merge(dbs, {subnets})
      const g = merge(dbs, {subnets, general: true})
      assert.equal(d.text, reference(dbs, cidrs), `case ${k} ${cidrs}: ${JSON.stringify(dbs)}`)
      assert.equal(g.text, d.text, `case ${k}: general`)
      assert.deepEqual(g.report, d.report, `case ${k}: report`)
      assert.equal(merge([dbs[1], dbs[0]], {subnets}).text, d.text, `case ${k}: order`)
    }
  })
})

/** The report the rules ask for, relative to the base (first) file, as sorted lists (order is not part of it). */
function referenceReport(dbs: string[], merged: string) {
  const kept = leasesOf(T(merged))
  const keptAt = new Map(kept.map((l) => [expandIpv6(l.ip), l]))
  const base = leasesOf(T(dbs[0]))
  const expired = base.filter((l) => l.expiry !== 0 && l.expiry <= NOW)
  const live = base.filter((l) => l.expiry === 0 || l.expiry > NOW)
  const added: string[] = []
  const updated: string[] = []
  const changed: string[] = []
  const dropped = new Set<string>()
  for (const w of kept) {
    const at = live.filter((b) => expandIpv6(b.ip) === expandIpv6(w.ip))
    if (at.some((b) => b.line === w.line)) continue
    changed.push(w.line)
    if (at.some((b) => clientKey(b) === clientKey(w))) updated.push(w.ip)
    else added.push(w.ip)
  }
  for (const b of live) {
    const w = keptAt.get(expandIpv6(b.ip))
    if (w === undefined || (w.line !== b.line && clientKey(w) !== clientKey(b))) dropped.add(b.line)
  }
  const sorted = (xs: string[]) => [...xs].sort()
  return {
    counts: [added.length, updated.length, expired.length + dropped.size],
    addedIps: sorted(added), updatedIps: sorted(updated), changed: sorted(changed),
    dropped: sorted([...expired.map((l) => `expired ${l.line}`), ...[...dropped].map((l) => `conflict ${l}`)]),
  }
}

/** Bigger random databases in dnsmasq's order or sorted (as ha-tool writes them): both address-order paths of the merge. */
function biggerDb(r: () => number, n: number, sorted: boolean): string {
  const pick = <X>(xs: X[]) => xs[Math.floor(r() * xs.length)]
  const lines: string[] = []
  for (let i = 0; i < n; i++) {
    const exp = pick([0, NOW - 10, NOW + 10, NOW + 20, NOW + Math.floor(r() * 50)])
    if (r() < 0.05) lines.push(`${exp} ${pick(['1', '2'])} fd00::${Math.floor(r() * 30).toString(16)} * ${pick(['*', '00:01:aa', '00:01:bb'])}\n`)
    else lines.push(`${exp} 52:54:00:00:0${Math.floor(r() * 3)}:${Math.floor(r() * 90 + 10)} ${pick(['10', '192'])}.${pick(['0', '168'])}.${pick(['0', '1', '9', '200'])}.${Math.floor(r() * 200)} ${pick(['*', 'h'])} ${pick(['*', '*', '*', '01:aa', `01:${Math.floor(r() * 90 + 10)}`])}\n`)
  }
  // Sorted as ha-tool writes them: IPv4 by address (the IPv6 lines after them, in any order).
  const v4key = (l: string) => (l.split(' ')[2].includes(':') ? Infinity : l.split(' ')[2].split('.').reduce((a, o) => a * 256 + Number(o), 0))
  if (sorted) lines.sort((a, b) => v4key(a) - v4key(b))
  return lines.join('')
}

describe('mergeLeaseTables: report and larger inputs (properties)', () => {
  test('the report (added, updated, dropped, changed) equals the rules applied to the output, small random cases', () => {
    const r = rng(4242)
    for (let k = 0; k < 300; k++) {
      const dbs = [randomDb(r, Math.floor(r() * 12)), randomDb(r, Math.floor(r() * 12)), randomDb(r, Math.floor(r() * 4))]
      const m = merge(dbs)
      const want = referenceReport(dbs, m.text)
      const {report} = m
      assert.deepEqual([report.added, report.updated, report.dropped], want.counts, `case ${k}: ${JSON.stringify(dbs)}`)
      assert.deepEqual([...report.addedIps].sort(), want.addedIps, `case ${k}`)
      assert.deepEqual([...report.updatedIps].sort(), want.updatedIps, `case ${k}`)
      assert.deepEqual(report.droppedLeases.map((d) => `${d.reason} ${d.lease}`).sort(), want.dropped, `case ${k}`)
      assert.deepEqual(m.changed().map((l) => l.line).sort(), want.changed, `case ${k}`)
    }
  })

  test('hundreds of leases per file, unsorted (radix sort) and sorted (merge of runs): output equals the reference, report follows the rules', () => {
    const r = rng(99)
    for (let k = 0; k < 40; k++) {
      const dbs = [biggerDb(r, 200 + Math.floor(r() * 300), k % 2 === 0), biggerDb(r, 200 + Math.floor(r() * 300), k % 4 < 2)]
      const m = merge(dbs)
      assert.equal(m.text, reference(dbs), `case ${k}`)
      assert.equal(merge([dbs[1], dbs[0]]).text, m.text, `case ${k}: order`)
      const want = referenceReport(dbs, m.text)
      assert.deepEqual([m.report.added, m.report.updated, m.report.dropped], want.counts, `case ${k}`)
      assert.deepEqual(m.changed().map((l) => l.line).sort(), want.changed, `case ${k}`)
    }
  })
})

/**
 * Two healthy peers: the same clients on the same addresses (a dense range), renewed at different
 * times, some only on one side, some expired, some lines identical: the case merge-dense.ts takes.
 */
function peerDbs(r: () => number, n: number, files: number): string[] {
  const pick = <X>(xs: X[]) => xs[Math.floor(r() * xs.length)]
  const base = Math.floor(r() * 2 ** 24) * 256 // anywhere in the IPv4 space, 10.0.0.0 or 223.x alike
  const dbs: string[][] = Array.from({length: files}, () => [])
  for (let k = 0; k < n; k++) {
    if (r() < 0.3) continue // a gap in the range
    const a = base + k
    const ip = `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`
    const mac = `52:54:00:${((k >> 8) & 255).toString(16).padStart(2, '0')}:${(k & 255).toString(16).padStart(2, '0')}:${pick(['0a', '0A'])}`
    const host = pick(['*', `h${k}`])
    const cid = pick(['*', '*', `01:${mac.toLowerCase()}`])
    const exp = pick([0, NOW - 5, NOW + 10, NOW + 20, NOW + Math.floor(r() * 50)])
    for (const db of dbs) {
      if (r() < 0.2) continue
      // Same client and address; the expiry (and the host name) may differ between peers.
      const e = r() < 0.5 ? exp : pick([0, NOW - 1, NOW + 30, exp + 1])
      db.push(line(e, mac, ip, r() < 0.9 ? host : 'renamed', cid))
      if (r() < 0.05 && db !== dbs[0]) db.push(line(e + 7, mac, ip, host, cid)) // a peer's own duplicate
    }
  }
  return dbs.map((lines) => {
    for (let i = lines.length - 1; i > 0; i--) { // dnsmasq's order is not address order
      const j = Math.floor(r() * (i + 1))
      ;[lines[i], lines[j]] = [lines[j], lines[i]]
    }
    return lines.join('')
  })
}

describe('mergeLeaseTables: the common case (merge-dense.ts) against the general merge', () => {
  test('healthy peers take the dense path, and its output, report and changed leases are the general merge\'s and the reference\'s (200 random cases)', () => {
    const r = rng(7)
    for (let k = 0; k < 200; k++) {
      const dbs = peerDbs(r, 1 + Math.floor(r() * 60), 2 + (k % 3 === 0 ? 1 : 0))
      if (k % 4 === 0) dbs[1] = `duid 00:01:00:01:aa:bb\n${dbs[1]}`
      const detail = k % 5 !== 0
      const d = merge(dbs, {detail})
      const g = merge(dbs, {detail, general: true})
      assert.equal(d.path, 'dense', `case ${k}: ${JSON.stringify(dbs)}`)
      assert.equal(g.path, 'general')
      assert.equal(d.text, g.text, `case ${k}: output`)
      assert.equal(d.text, reference(dbs.map((db) => db.replace(/^duid .*\n/, ''))) + (k % 4 === 0 ? 'duid 00:01:00:01:aa:bb\n' : ''), `case ${k}: reference`)
      assert.deepEqual(d.report, g.report, `case ${k}: report`)
      assert.deepEqual(d.changed(), g.changed(), `case ${k}: changed`)
      const want = referenceReport(dbs, d.text)
      assert.deepEqual([d.report.added, d.report.updated, d.report.dropped], want.counts, `case ${k}: report rules`)
      assert.equal(merge([dbs[1], dbs[0], ...dbs.slice(2)]).text, d.text, `case ${k}: order`)
    }
  })

  test('after a split brain (pairs of clients at an address) the dense path settles them as the general merge does: output, report, changed, reference (200 random cases)', () => {
    const r = rng(11)
    let dense = 0
    for (let k = 0; k < 200; k++) {
      const n = 1 + Math.floor(r() * 40)
      const exp = () => [0, NOW - 5, NOW + 20, NOW + 20, NOW + Math.floor(r() * 60)][Math.floor(r() * 5)]
      const mac = (side: number, i: number) => `52:54:00:0${side}:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`
      let a = ''
      let b = ''
      for (let i = 0; i < n; i++) {
        const ip = `10.0.${i >> 5}.${i & 31}`
        const x = r()
        if (x < 0.85) a += line(exp(), mac(0, i), ip)
        // The peer: another client here (split brain), the same client renewed, or nothing; rarely
        // a client of its own on a second address of the subnet (then only the general merge can tell).
        const y = r()
        if (y < 0.6) b += line(exp(), mac(1, i), ip, r() < 0.5 ? 'h' : '*')
        else if (y < 0.8) b += line(exp(), mac(0, i), ip)
        if (r() < 0.02) b += line(exp(), mac(1, i), `10.0.${i >> 5}.${100 + (i & 31)}`)
      }
      const dbs = [a, b]
      const detail = k % 3 !== 0
      const d = merge(dbs, {detail})
      const g = merge(dbs, {detail, general: true})
      if (d.path === 'dense') dense++
      assert.equal(d.text, g.text, `case ${k}: output`)
      assert.equal(d.text, reference(dbs), `case ${k}: reference`)
      assert.deepEqual(d.report, g.report, `case ${k}: report ${JSON.stringify(dbs)}`)
      assert.deepEqual(d.changed(), g.changed(), `case ${k}: changed`)
    }
    assert.ok(dense >= 100, `the dense path took ${dense} of 200 split-brain cases`)
  })

  test('whatever the common case cannot settle goes to the general merge, with the same result as forcing it', () => {
    const cases: Array<[string, string[]]> = [
      ['a client on two addresses', [line(NOW + 50, A, '10.0.0.5'), line(NOW + 60, A, '10.0.0.6')]],
      ['two clients on one address, neither the first file\'s', ['', line(NOW + 50, A, '10.0.0.5'), line(NOW + 60, B, '10.0.0.5')]],
      ['three clients on one address', [line(NOW + 50, A, '10.0.0.5'), line(NOW + 60, B, '10.0.0.5') + line(NOW + 70, '52:54:00:00:00:0c', '10.0.0.5')]],
      ['two clients on one address, the loser also on another', [line(NOW + 50, A, '10.0.0.5'), line(NOW + 60, B, '10.0.0.5') + line(NOW + 40, A, '10.0.0.6')]],
      ['the first file\'s client renewed, then another client', [line(NOW + 50, A, '10.0.0.5'), line(NOW + 40, A, '10.0.0.5') + line(NOW + 60, B, '10.0.0.5')]],
      ['two leases at one address in the first file', [line(NOW + 50, A, '10.0.0.5') + line(NOW + 60, A, '10.0.0.5'), line(NOW + 70, A, '10.0.0.5')]],
      ['addresses scattered over the address space', [line(NOW + 50, A, '10.0.0.5'), line(NOW + 60, B, '11.0.0.5')]],
    ]
    for (const [what, dbs] of cases) {
      const m = merge(dbs)
      assert.equal(m.path, 'general', what)
      assert.equal(m.text, merge(dbs, {general: true}).text, what)
      assert.equal(m.text, reference(dbs), what)
    }
    // And the dense path right next to those: same client, same address, two peers; a /16 apart;
    // IPv6 leases beside them, conflicts included (merged on their own, after the IPv4 lines).
    assert.equal(merge([line(NOW + 50, A, '10.0.0.5'), line(NOW + 60, A, '10.0.0.5')]).path, 'dense')
    // A split brain's pair: the first file's client and one other client at an address.
    const pair = [line(NOW + 50, A, '10.0.0.5') + line(NOW + 90, A.replace(/a$/, 'd'), '10.0.0.7'), line(NOW + 60, B, '10.0.0.5') + line(NOW + 80, A.replace(/a$/, 'e'), '10.0.0.7')]
    assert.equal(merge(pair).path, 'dense')
    assert.deepEqual(merge(pair).report, merge(pair, {general: true}).report)
    assert.equal(merge([line(NOW + 50, A, '10.0.0.5'), line(NOW + 60, B, '10.0.255.5')]).path, 'dense')
    const v6 = [line(NOW + 50, A, '10.0.0.5') + `${NOW + 50} 7 fd00::5 * 00:01:aa\n`, `duid 00:01\n${NOW + 60} 7 fd00::6 * 00:01:aa\n${NOW + 60} 8 fd00::5 * 00:01:bb\n`]
    const m = merge(v6)
    assert.equal(m.path, 'dense')
    assert.equal(m.text, merge(v6, {general: true}).text)
    assert.deepEqual(m.report, merge(v6, {general: true}).report)
    assert.equal(m.text, `${line(NOW + 50, A, '10.0.0.5')}duid 00:01\n${NOW + 60} 8 fd00::5 * 00:01:bb\n${NOW + 60} 7 fd00::6 * 00:01:aa\n`)
  })

  test('dhcp-lease-max is enforced on the dense path too', () => {
    const dbs = [line(NOW + 50, A, '10.0.0.5'), line(NOW + 60, B, '10.0.0.6')]
    assert.equal(merge(dbs, {leaseMax: 2}).path, 'dense')
    assert.throws(() => merge(dbs, {leaseMax: 1}), (e: unknown) => e instanceof HaError && /2 leases, over dnsmasq.lease_max = 1/.test(e.message))
  })
})
