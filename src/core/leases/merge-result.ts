import {HaError} from '../errors.js'
import {ExitCode} from '../exit-codes.js'
import type {SubnetRule} from './subnets.js'
import {leaseAt, leaseLine, type LeaseTable} from './table.js'
import type {Lease} from './types.js'

export type MergeOptions = {
  /** Epoch seconds: leases that expired at or before it are dropped. */
  now: number
  /** dnsmasq's dhcp-lease-max: a result with more leases is refused (0 or unset = no limit). */
  leaseMax?: number
  /** The server DUID line to write; default: the first input that has one. */
  serverDuid?: string
  /**
   * List every address added and updated, every lease dropped and every conflict (default true).
   * false: addedIps and updatedIps stay empty, droppedLeases and conflicts hold the first
   * LIST_LIMIT (what a text report shows); the counts are always whole.
   */
  detail?: boolean
  /** The subnets a client may hold one lease in each (subnets.ts); default: each /24 and /64. */
  subnets?: SubnetRule
  /** Skip the common-case merge (merge-dense.ts) and use the general one (tests compare the two). */
  general?: boolean
}

export type Conflict = {ip: string; kept?: string; lost: string; reason: string}

/** What the merge changed, relative to the first input (the local file, in a sync). */
export type MergeReport = {
  leases: number
  added: number
  updated: number
  dropped: number
  addedIps: string[]
  updatedIps: string[]
  droppedLeases: Array<{ip: string; reason: 'expired' | 'conflict'; lease: string}>
  conflicts: Conflict[]
  /** How many conflicts there were (conflicts may list fewer: MergeOptions.detail). */
  conflicted: number
}

/** What a report without detail still lists of its dropped leases and conflicts. */
export const LIST_LIMIT = 20

/** Whether one more entry goes into a list (MergeOptions.detail). */
export const listed = (list: readonly unknown[], detail: boolean): boolean => detail || list.length < LIST_LIMIT

export type MergeResult = {
  /** The merged file, ready to write. */
  bytes: Uint8Array
  report: MergeReport
  /** The leases added or updated relative to the first input (what a running dnsmasq must be told). */
  changed(): Lease[]
  /** Which merge produced it: the common-case one (merge-dense.ts) or the general one. */
  path: 'dense' | 'general'
}

export const emptyReport = (): MergeReport => ({leases: 0, added: 0, updated: 0, dropped: 0, addedIps: [], updatedIps: [], droppedLeases: [], conflicts: [], conflicted: 0})

/** Reports lease i of the first input as dropped because it expired. */
export function reportExpired(report: MergeReport, t: LeaseTable, i: number, detail: boolean): void {
  report.dropped++
  if (listed(report.droppedLeases, detail)) report.droppedLeases.push({ip: leaseAt(t, i).ip, reason: 'expired', lease: leaseLine(t, i)})
}

/** The `duid` line the output carries: the one asked for, else the first input's that has one. */
export function serverDuidLine(tables: readonly LeaseTable[], opts: MergeOptions): string | undefined {
  let duid = opts.serverDuid
  for (let f = 0; duid === undefined && f < tables.length; f++) duid = tables[f].serverDuid
  return duid === undefined ? undefined : `duid ${duid}\n`
}

/** dnsmasq refuses to start with more stored leases than dhcp-lease-max: refuse such a result first. */
export function checkLeaseMax(count: number, opts: MergeOptions): void {
  if (opts.leaseMax && count > opts.leaseMax) {
    throw new HaError(`merged lease database has ${count} leases, over dnsmasq.lease_max = ${opts.leaseMax}: dnsmasq would refuse to start ("too many stored leases")`, ExitCode.FAILED, {kind: 'lease-max', hint: 'raise dhcp-lease-max and dnsmasq.lease_max together'})
  }
}
