/**
 * Stable orders of IPv4 addresses (as unsigned 32-bit keys) for the merge. The result is the
 * positions 0..n-1 sorted by key, equal keys in input order, plus the keys in that order.
 */
export type IpOrder = {order: Int32Array; keys: Uint32Array}

/** Sorted runs merged when there are at most this many (a file ha-tool wrote is one run). */
const MAX_RUNS = 8

/**
 * Picks the cheaper way: lease files ha-tool wrote are sorted by address, so merging a few of
 * them is a merge of sorted runs (one sequential pass per level); dnsmasq's own file is in its
 * hash-chain order, which goes to the radix sort.
 */
export function orderByIp(keys: Uint32Array): IpOrder {
  const n = keys.length
  const runs = [0]
  for (let k = 1; k < n; k++) {
    if (keys[k] < keys[k - 1]) {
      if (runs.length === MAX_RUNS) return radixOrderByIp(keys)
      runs.push(k)
    }
  }
  runs.push(n)
  return mergeRuns(keys, runs)
}

/** Merges the sorted runs keys[runs[r]..runs[r+1]) pairwise, level by level; stable (left run first on ties). */
function mergeRuns(keys: Uint32Array, runs: number[]): IpOrder {
  const n = keys.length
  let ks: Uint32Array = keys.slice()
  let vs: Int32Array = new Int32Array(n)
  for (let k = 0; k < n; k++) vs[k] = k
  let kd: Uint32Array = new Uint32Array(runs.length > 2 ? n : 0)
  let vd: Int32Array = new Int32Array(runs.length > 2 ? n : 0)
  while (runs.length > 2) {
    const next = [0]
    for (let r = 0; r + 1 < runs.length; r += 2) {
      const lo = runs[r]
      const mid = runs[r + 1]
      const hi = r + 2 < runs.length ? runs[r + 2] : mid
      mergeTwo(ks, vs, kd, vd, lo, mid, hi)
      next.push(hi)
    }
    const tk = ks
    const tv = vs
    ks = kd
    vs = vd
    kd = tk
    vd = tv
    runs = next
  }
  return {order: vs, keys: ks}
}

function mergeTwo(ks: Uint32Array, vs: Int32Array, kd: Uint32Array, vd: Int32Array, lo: number, mid: number, hi: number): void {
  let i = lo
  let j = mid
  let o = lo
  while (i < mid && j < hi) {
    if (ks[j] < ks[i]) {
      kd[o] = ks[j]
      vd[o++] = vs[j++]
    } else {
      kd[o] = ks[i]
      vd[o++] = vs[i++]
    }
  }
  while (i < mid) {
    kd[o] = ks[i]
    vd[o++] = vs[i++]
  }
  while (j < hi) {
    kd[o] = ks[j]
    vd[o++] = vs[j++]
  }
}

/**
 * LSD radix sort: three passes of 11/11/10 bits (2048 buckets keep the scatter cache-friendly),
 * keys carried along so every pass reads sequentially. The three histograms come from one read
 * of the keys, and a pass whose digit is the same for every key (the first octets of a LAN) is
 * skipped.
 */
export function radixOrderByIp(keys: Uint32Array): IpOrder {
  const n = keys.length
  const count = new Int32Array(3 * 2048)
  for (let k = 0; k < n; k++) {
    const key = keys[k]
    count[key & 0x7ff]++
    count[2048 + ((key >>> 11) & 0x7ff)]++
    count[4096 + (key >>> 22)]++
  }
  let ks: Uint32Array = keys
  let vs: Int32Array | undefined // undefined: position k holds candidate k (nothing moved yet)
  let kd: Uint32Array = new Uint32Array(n)
  let vd: Int32Array = new Int32Array(n)
  for (let d = 0; d < 3; d++) {
    if (!prefixSums(count, d * 2048, n)) continue
    if (vs === undefined) firstPass(ks, kd, vd, d * 11, count, d * 2048)
    else radixPass(ks, vs, kd, vd, d * 11, count, d * 2048)
    const tk = ks
    const tv = vs
    ks = kd
    vs = vd
    kd = tk === keys ? new Uint32Array(n) : tk
    vd = tv ?? new Int32Array(n)
  }
  if (vs === undefined) {
    vs = new Int32Array(n)
    for (let k = 0; k < n; k++) vs[k] = k
  }
  return {order: vs, keys: ks === keys ? keys.slice() : ks}
}

/** Turns the histogram at `at` into start offsets; false when one bucket holds every key (nothing to do). */
function prefixSums(count: Int32Array, at: number, n: number): boolean {
  let sum = 0
  for (let d = at; d < at + 2048; d++) {
    const c = count[d]
    if (c === n) return false
    count[d] = sum
    sum += c
  }
  return true
}

/** radixPass from the input order itself (value = position), so no identity array is written first. */
function firstPass(ks: Uint32Array, kd: Uint32Array, vd: Int32Array, shift: number, count: Int32Array, at: number): void {
  const n = ks.length
  for (let k = 0; k < n; k++) {
    const key = ks[k]
    const p = count[at + ((key >>> shift) & 0x7ff)]++
    vd[p] = k
    kd[p] = key
  }
}

function radixPass(ks: Uint32Array, vs: Int32Array, kd: Uint32Array, vd: Int32Array, shift: number, count: Int32Array, at: number): void {
  const n = ks.length
  for (let k = 0; k < n; k++) {
    const key = ks[k]
    const o = at + ((key >>> shift) & 0x7ff)
    const p = count[o]++
    vd[p] = vs[k]
    kd[p] = key
  }
}
