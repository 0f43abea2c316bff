import {mergeLeaseTables, type MergeReport} from '../../core/leases/merge.js'
import {parseLeaseFile} from '../../core/leases/parse.js'
import type {SubnetRule} from '../../core/leases/subnets.js'
import type {LeaseTable} from '../../core/leases/table.js'
import {usageError} from '../../core/errors.js'

export type MergeFilesIo = {
  /** A file's bytes; undefined when it does not exist. */
  read(path: string): Uint8Array | undefined
  write(path: string, bytes: Uint8Array): void
}

export type MergeFilesResult = {inputs: string[]; output?: string; report: MergeReport; bytes: Uint8Array}

/**
 * `leases merge FILE... [-o OUT]`: the semantic merge of lease files (the first is the base the
 * report is relative to). Every input is validated first; a bad or truncated one names itself and
 * nothing is written. OUT is replaced atomically (it may be one of the inputs).
 */
export function mergeLeaseFiles(io: MergeFilesIo, files: readonly string[], opts: {out?: string; now: number; leaseMax?: number; subnets?: SubnetRule; detail: boolean}): MergeFilesResult {
  if (files.length === 0) throw usageError('leases merge: give at least one lease file')
  const tables: LeaseTable[] = files.map((f) => {
    const bytes = io.read(f)
    if (bytes === undefined) throw usageError(`${f}: no such lease file`)
    return parseLeaseFile(bytes, f)
  })
  const merged = mergeLeaseTables(tables, {now: opts.now, leaseMax: opts.leaseMax, subnets: opts.subnets, detail: opts.detail})
  if (opts.out) io.write(opts.out, merged.bytes)
  return {inputs: [...files], ...(opts.out ? {output: opts.out} : {}), report: merged.report, bytes: merged.bytes}
}
