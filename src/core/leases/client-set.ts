/**
 * The clients a merge has seen, by their two 32-bit hashes (parse.ts: clientHash): open
 * addressing over 8-byte slots, small enough to stay mostly in cache. Sized for `expected`
 * clients; when more arrive and the table fills up, add() answers false as it does for a client
 * already there, which sends the caller down its exact path instead of probing a full table.
 * (0, 0) marks an empty slot: a client hashing to it is noted as (0, 1); should that ever meet a
 * real (0, 1), the cost is a needless exact pass, not a wrong result.
 */
export class ClientSet {
  private readonly t: Int32Array
  private readonly mask: number
  private room: number
  constructor(expected: number) {
    let size = 16
    while (size < expected * 1.25) size *= 2 // load <= 0.8
    this.t = new Int32Array(size * 2)
    this.mask = size - 1
    this.room = Math.floor(size * 0.8)
  }

  /** Notes client (a, b); false when it was already there, or when the table is full. */
  add(a: number, b: number): boolean {
    const t = this.t
    if (this.room === 0) return false
    if (a === 0 && b === 0) b = 1
    let s = (a ^ (b >>> 7)) & this.mask
    for (;;) {
      const x = t[s << 1]
      const y = t[(s << 1) + 1]
      if (x === 0 && y === 0) {
        t[s << 1] = a
        t[(s << 1) + 1] = b
        this.room--
        return true
      }
      if (x === a && y === b) return false
      s = (s + 1) & this.mask
    }
  }
}
