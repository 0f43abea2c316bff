import {HaError} from '../errors.js'
import {ExitCode} from '../exit-codes.js'
import type {LeaseTable} from './table.js'

/**
 * A merge names each lease it considers by one int32: the lease's index in its input, shifted,
 * then the input's position. 8 bits of input leave 23 for the index, far beyond what dnsmasq holds.
 */
export const ID_SHIFT = 8
export const ID_INPUTS = 1 << ID_SHIFT
export const ID_INPUT = ID_INPUTS - 1

/** Refuses inputs the ids cannot name, with the reason, before any merge starts. */
export function checkIdLimits(tables: readonly LeaseTable[]): void {
  if (tables.length > ID_INPUTS) throw new HaError(`leases: at most ${ID_INPUTS} lease files at once, got ${tables.length}`, ExitCode.USAGE)
  for (const t of tables) {
    if (t.count >= 2 ** (31 - ID_SHIFT)) throw new HaError(`${t.name}: more than ${2 ** (31 - ID_SHIFT) - 1} leases, more than dnsmasq can hold`, ExitCode.FAILED, {kind: 'bad-lease-file'})
  }
}
