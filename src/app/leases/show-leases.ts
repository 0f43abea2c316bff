import {parseLeaseFile, emptyLeaseTable} from '../../core/leases/parse.js'
import {leasesOf} from '../../core/leases/table.js'
import type {Lease, Lease4, Lease6} from '../../core/leases/types.js'
import {usageError} from '../../core/errors.js'

// Omit per member: Omit<Lease4 | Lease6, ...> would keep only the keys both share (no mac, no duid).
export type ShownLease = (Omit<Lease4, 'line'> | Omit<Lease6, 'line'>) & {expires: string | null; expired: boolean}
export type ShowResult = {file: string; serverDuid?: string; count: number; leases: ShownLease[]}

/** `leases show`: the parsed lease file (a bad line is an error naming FILE:LINE). */
export function showLeases(read: (path: string) => Uint8Array | undefined, file: string, now: number, opts: {mustExist: boolean}): {result: ShowResult; leases: Lease[]} {
  const bytes = read(file)
  if (bytes === undefined && opts.mustExist) throw usageError(`${file}: no such lease file`)
  const t = bytes === undefined ? emptyLeaseTable(file) : parseLeaseFile(bytes, file)
  const leases = leasesOf(t)
  const shown = leases.map(({line: _line, ...l}) => ({...l, expires: l.expiry === 0 ? null : new Date(l.expiry * 1000).toISOString(), expired: l.expiry !== 0 && l.expiry <= now}))
  return {result: {file, ...(t.serverDuid ? {serverDuid: t.serverDuid} : {}), count: leases.length, leases: shown}, leases}
}
