import {HaError} from '../../core/errors.js'
import {withoutLeases} from '../../core/leases/format.js'
import {mergeLeaseTables, type MergeReport} from '../../core/leases/merge.js'
import {injectLeases} from './dbus-inject.js'
import {subnetRule} from './subnet-rule.js'
import {emptyLeaseTable, parseLeaseFile} from '../../core/leases/parse.js'
import {leaseAt, type LeaseTable} from '../../core/leases/table.js'
import {clientKey, type Lease} from '../../core/leases/types.js'
import {type LeaseDeps, nowSeconds} from './deps.js'

/**
 * How a merge reached dnsmasq: `unchanged` (nothing new), `file` (dnsmasq stopped: the file was
 * replaced atomically, it reads it at start), `dbus` (AddDhcpLease/DeleteDhcpLease on the running
 * dnsmasq, which then rewrites its own file), `restart` (stopped, file replaced, started again),
 * `deferred` (dnsmasq runs, only a restart would do, and this caller may not restart it).
 */
export type ApplyMethod = 'unchanged' | 'file' | 'dbus' | 'restart' | 'deferred'

export type ApplyResult = {method: ApplyMethod; file: string; report: MergeReport; removed: number}

/**
 * Merges `incoming` into this node's leases (and drops `removals`: dnsmasq `del` events from the
 * peer) in the one way the local dnsmasq will actually see. Never writes the file under a running
 * dnsmasq and calls that done: it would keep serving its old table and overwrite the file on its
 * next lease. The caller holds the leases lock.
 */
export async function applyLeases(deps: LeaseDeps, incoming: readonly LeaseTable[], opts: {allowRestart: boolean; removals?: readonly Lease[]; fileOnly?: boolean}): Promise<ApplyResult> {
  const c = deps.config.dnsmasq
  const path = c.leases
  const removals = opts.removals ?? []
  const compute = () => {
    let local = readLocal(deps)
    let removed: Lease[] = []
    if (removals.length > 0) {
      const gone = (l: Lease) => removals.some((r) => r.ip === l.ip && clientKey(r) === clientKey(l))
      removed = [...Array(local.count).keys()].map((i) => leaseAt(local, i)).filter(gone)
      if (removed.length > 0) local = parseLeaseFile(withoutLeases(local, gone), path)
    }
    const merged = mergeLeaseTables([local, ...incoming], {now: nowSeconds(deps), leaseMax: c.lease_max, subnets: subnetRule(deps.config)})
    return {merged, removed}
  }
  const changedAny = (r: MergeReport, removed: number) => r.added + r.updated + r.dropped + removed > 0

  const pid = deps.dnsmasq.running()
  let {merged, removed} = compute()
  if (!changedAny(merged.report, removed.length)) return {method: 'unchanged', file: path, report: merged.report, removed: 0}
  if (pid === undefined || c.leasefile_ro) {
    deps.files.write(path, merged.bytes)
    if (pid === undefined || opts.fileOnly) {
      deps.log.info({file: path, added: merged.report.added, updated: merged.report.updated}, 'leases written (dnsmasq stopped)')
      return {method: 'file', file: path, report: merged.report, removed: removed.length}
    }
  }

  let method = c.apply
  if (method === 'auto') method = (await deps.dbus().present()) ? 'dbus' : 'restart'
  if (method === 'dbus') {
    const dbus = deps.dbus()
    // Leases this merge took away from other clients, then the new and renewed ones.
    for (const d of merged.report.droppedLeases) if (d.reason === 'conflict') await dbus.deleteLease(d.ip)
    for (const l of removed) await dbus.deleteLease(l.ip)
    // With --leasefile-ro dnsmasq writes no file to check the stored expiries against.
    const inj = await injectLeases(deps, dbus, merged.changed(), c.leasefile_ro ? undefined : () => readLocal(deps))
    deps.log.info({added: merged.report.added, updated: merged.report.updated, removed: removed.length, ...(inj.corrected ? {corrected: inj.corrected, off: inj.off} : {})}, 'leases injected over D-Bus')
    return {method: 'dbus', file: path, report: merged.report, removed: removed.length}
  }
  if (!opts.allowRestart) {
    deps.log.info({added: merged.report.added, updated: merged.report.updated}, 'dnsmasq runs without D-Bus: leases left for the next sync or restart')
    return {method: 'deferred', file: path, report: merged.report, removed: removed.length}
  }
  await deps.dnsmasq.stop()
  try {
    // dnsmasq may have handed out a lease since the first read: merge what it left behind.
    ;({merged, removed} = compute())
    deps.files.write(path, merged.bytes)
  } finally {
    await deps.dnsmasq.start()
  }
  deps.log.info({added: merged.report.added, updated: merged.report.updated}, 'leases written and dnsmasq restarted')
  return {method: 'restart', file: path, report: merged.report, removed: removed.length}
}

export function readLocal(deps: Pick<LeaseDeps, 'config' | 'files'>): LeaseTable {
  const path = deps.config.dnsmasq.leases
  const bytes = deps.files.read(path)
  if (!bytes) return emptyLeaseTable(path)
  try {
    return parseLeaseFile(bytes, path)
  } catch (error) {
    if (error instanceof HaError) throw new HaError(`${error.message} (this node's own lease file)`, error.exit, {kind: error.kind})
    throw error
  }
}
