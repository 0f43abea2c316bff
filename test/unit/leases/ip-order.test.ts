// The address orders the merge uses: the sorted-runs merge (files ha-tool wrote) and the radix sort
// (dnsmasq's own order) must both equal a plain stable sort, on random keys of every shape.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {orderByIp, radixOrderByIp, type IpOrder} from '../../../src/core/leases/ip-order.js'

function rng(seed: number) {
  let s = seed >>> 0
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32)
}

/** Positions sorted by key, equal keys in input order: what both orders must return. */
function stableOrder(keys: Uint32Array): number[] {
  return Array.from(keys, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b)
}

function check(keys: Uint32Array, got: IpOrder, what: string) {
  const want = stableOrder(keys)
  assert.deepEqual(Array.from(got.order), want, what)
  assert.deepEqual(Array.from(got.keys), want.map((i) => keys[i]), what)
}

/** `runs` sorted runs of random length, keys from a small or a full range (so ties and all digit passes happen). */
function keysWithRuns(r: () => number, runs: number, wide: boolean): Uint32Array {
  const out: number[] = []
  for (let k = 0; k < runs; k++) {
    const run = Array.from({length: Math.floor(r() * 30)}, () => (wide ? Math.floor(r() * 2 ** 32) : 0x0a000000 + Math.floor(r() * 40)))
    out.push(...run.sort((a, b) => a - b))
  }
  return Uint32Array.from(out)
}

describe('orderByIp', () => {
  test('equals a stable sort for 0 to 12 sorted runs (merged or radix-sorted), narrow and full key ranges', () => {
    const r = rng(7)
    for (let c = 0; c < 400; c++) {
      const keys = keysWithRuns(r, Math.floor(r() * 13), r() < 0.5)
      check(keys, orderByIp(keys), `case ${c}: orderByIp ${Array.from(keys)}`)
      check(keys, radixOrderByIp(keys), `case ${c}: radix ${Array.from(keys)}`)
    }
  })

  test('random order (radix) with keys that differ in one 11-bit digit only, and extreme keys', () => {
    const r = rng(11)
    for (const digit of [0, 11, 22]) {
      const keys = Uint32Array.from({length: 500}, () => ((Math.floor(r() * 2048) << digit) >>> 0) | 0x0a000000)
      check(keys, orderByIp(keys), `digit ${digit}`)
    }
    check(Uint32Array.from([0xffffffff, 0, 0x80000000, 0xffffffff, 1, 0]), orderByIp(Uint32Array.from([0xffffffff, 0, 0x80000000, 0xffffffff, 1, 0])), 'extremes')
    check(new Uint32Array(0), orderByIp(new Uint32Array(0)), 'empty')
  })

  test('the input keys are left as they were', () => {
    const keys = Uint32Array.from([5, 3, 9, 1, 3])
    orderByIp(keys)
    radixOrderByIp(keys)
    assert.deepEqual(Array.from(keys), [5, 3, 9, 1, 3])
  })
})
