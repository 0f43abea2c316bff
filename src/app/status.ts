import type {KeepalivedInstance, Peer, RootedFs, WanSnapshot} from '../ports.js'
import type {Config} from '../config/schema.js'
import type {ConntrackdStats} from '../core/conntrack/stats.js'
import {errorLine} from '../core/errors.js'
import {parseStateFile} from '../core/transition/state-file.js'
import {type Direction, type QueueState, replicationView, type ReplicationView, type SyncMark} from '../core/leases/replication.js'
import type {Role, StateFile, StepOutcome} from '../core/transition/types.js'
import type {HealthView} from './health-status.js'
import type {GateState} from '../core/failback/gate.js'

/**
 * `ha-tool status --json`, version 1. Every section but `node`, `at` and `role` is either
 * `{available: true, ...}` or `{available: false, reason}`: one thing that cannot be read (no
 * conntrackd, no D-Bus) never hides the rest. Times are ISO 8601 UTC; ages and durations are
 * numbers with their unit in the key.
 */
export type NodeStatus = {
  version: 1
  node: string
  at: string
  role: {
    role: Role | 'UNKNOWN'
    /** keepalived-dbus: asked keepalived now; state-file: the last transition ha-tool applied; none: neither. */
    source: 'keepalived-dbus' | 'state-file' | 'none'
    instance?: string
    /** keepalived's own state name (Init, Backup, Master, Fault, Stop) when read over D-Bus. */
    keepalivedState?: string
    /** The role the last transition applied, when it differs from keepalived's (a transition pending or failed). */
    applied?: Role
    note?: string
  }
  transitions: Section<{last: TransitionView | null; history: Array<Omit<TransitionView, 'steps' | 'instance'>>}>
  wan: Section<{
    interface: string
    exists: boolean
    adminUp: boolean
    carrier: boolean
    addresses: string[]
    /** Table wan.table has a default route. */
    defaultRoute: boolean
    rule: {table: number; priority: number; copies: number}
    /**
     * The IPv6 rule (same table and priority) and table's IPv6 default route; null when not read (wan.ipv6 = false, or a kernel without IPv6).
     * delegatedPrefixes: the prefixes this node's DHCPv6 client holds now (networkd's unreachable routes for them), e.g. ["2001:db8:100::/56"].
     */
    ipv6: {ruleCopies: number; defaultRoute: boolean; delegatedPrefixes: string[]} | null
    /** The BACKUP's WAN silence table is loaded (null when it could not be read). */
    silenced: boolean | null
  }>
  conntrackd: Section<{internal: number | null; external: number | null; externalInject: boolean; internalBypass: boolean}>
  leases: Section<{file: string; count: number; modifiedAt: string; lastSync: {at: string; ageS: number; ok: boolean} | null; replication?: ReplicationView}>
  health: Section<{verdict: string | null; reason: string | null; monitorRunning: boolean | null; trackFile: string; trackValue: number | null; trackState: string | null}>
  maintenance: Section<{on: boolean; since: string | null; by: string | null}>
  /** The failback gate (docs/failback.md): closed holds this node out of MASTER until it holds the MASTER's flows. */
  failbackGate: Section<{open: boolean; since: string; reason: string; missing: number | null; extra: number | null; masterFlows: number | null; checkedAt: string | null; timedOut: boolean}>
}

export type Section<T> = ({available: true} & T) | {available: false; reason: string}
export type TransitionView = {role: Role; source: string; instance: string; startedAt: string; durationMs: number; exit: number; steps: StepOutcome[]}

/** `status --peer --json`: this node and the other, the peer's as its own `status --json` printed it. */
export type PairStatus = {local: NodeStatus; peer: NodeStatus | {available: false; reason: string}}

/** Where each section's facts come from; every one may throw (the section then says why). */
export type StatusDeps = {
  config: Config
  hostname: string
  now(): number
  keepalivedInstances?(): Promise<KeepalivedInstance[]>
  stateFile(): StateFile | undefined
  wan(): Promise<{snapshot: WanSnapshot; silenced: boolean | null; delegated6: string[]}>
  conntrackd(): Promise<ConntrackdStats>
  leases(): {count: number; mtimeMs: number} | undefined
  /** The last lease sync with the peer, when the leases capability records one. */
  leaseSync?(): {at: number; ok: boolean} | undefined
  /** Replication marks in each direction and the push queue (core/leases/replication.ts). */
  leaseReplication?(): {marks: Partial<Record<Direction, SyncMark>>; queue: QueueState; watching?: boolean}
  health(): HealthView
  /** The daemon's failback gate (undefined: no daemon has written one); `running` = its daemon is alive. */
  failbackGate?(): {state: GateState; running: boolean} | undefined
}

export async function collectStatus(deps: StatusDeps): Promise<NodeStatus> {
  const {config} = deps
  const now = deps.now()
  const state = attempt(() => deps.stateFile())
  const [role, wan, conntrackd] = await Promise.all([roleOf(deps, state.value), section(async () => {
    const {snapshot, silenced, delegated6} = await deps.wan()
    const o = snapshot.observed
    return {interface: config.wan.interface, exists: o.link.exists, adminUp: o.link.adminUp, carrier: o.link.carrier, addresses: snapshot.addresses, defaultRoute: o.hasDefaultRoute,
      rule: {table: config.wan.table, priority: config.wan.rule_priority, copies: o.ruleCount},
      ipv6: o.rule6Count === undefined ? null : {ruleCopies: o.rule6Count, defaultRoute: o.hasDefaultRoute6 ?? false, delegatedPrefixes: delegated6}, silenced}
  }), section(async () => {
    if (!config.conntrackd.enabled) throw new Error('conntrackd.enabled = false')
    const s = await deps.conntrackd()
    return {internal: s.internal?.active ?? null, external: s.external?.active ?? null, externalInject: s.externalInject, internalBypass: s.internalBypass}
  })])
  const transitions: NodeStatus['transitions'] = state.error ? {available: false, reason: state.error}
    : {available: true, last: state.value ? lastTransition(state.value) : null, history: (state.value?.history ?? []).map((h) => ({role: h.role, source: h.source, startedAt: iso(h.startedAt), durationMs: h.durationMs, exit: h.exit}))}
  const leases = await section(async () => {
    const l = deps.leases()
    if (!l) throw new Error(`${config.dnsmasq.leases}: no such file`)
    const sync = deps.leaseSync ? deps.leaseSync() : undefined
    const rep = deps.leaseReplication ? attempt(() => deps.leaseReplication!()).value : undefined
    return {file: config.dnsmasq.leases, count: l.count, modifiedAt: iso(l.mtimeMs),
      lastSync: sync ? {at: iso(sync.at), ageS: Math.round((now - sync.at) / 1000), ok: sync.ok} : null,
      ...(rep ? {replication: replicationView(rep.marks, rep.queue, now, config.dnsmasq.sync_warn_s, rep.watching)} : {})}
  })
  const healthView = attempt(() => deps.health())
  const health: NodeStatus['health'] = healthView.value ? {
    available: true,
    verdict: healthView.value.monitor?.status ?? null,
    reason: healthView.value.monitor?.reason ?? null,
    monitorRunning: healthView.value.monitor ? healthView.value.monitor.running : null,
    trackFile: healthView.value.track.file,
    trackValue: healthView.value.track.value ?? null,
    trackState: healthView.value.track.state ?? null,
  } : {available: false, reason: healthView.error ?? 'unknown'}
  const maintenance: NodeStatus['maintenance'] = healthView.value
    ? {available: true, on: healthView.value.maintenance.on, since: healthView.value.maintenance.since ? iso(healthView.value.maintenance.since) : null, by: healthView.value.maintenance.by ?? null}
    : {available: false, reason: healthView.error ?? 'unknown'}
  const failbackGate = await section(async () => {
    const g = deps.failbackGate?.()
    if (!g) throw new Error('no daemon has written a gate yet')
    if (!g.running) throw new Error(`the daemon that wrote it is gone (it said ${g.state.open ? 'open' : 'closed'})`)
    const s = g.state
    return {open: s.open, since: iso(s.since), reason: s.reason, missing: s.missing ?? null, extra: s.extra ?? null, masterFlows: s.master ?? null, checkedAt: s.checkedAt ? iso(s.checkedAt) : null, timedOut: s.timedOut ?? false}
  })
  return {version: 1, node: deps.hostname, at: iso(now), role, transitions, wan, conntrackd, leases, health, maintenance, failbackGate}
}

async function roleOf(deps: StatusDeps, state: StateFile | undefined): Promise<NodeStatus['role']> {
  const applied = state?.role
  let note: string | undefined
  if (deps.config.keepalived.dbus && deps.keepalivedInstances) {
    try {
      const all = await deps.keepalivedInstances()
      const wanted = deps.config.keepalived.instance
      const inst = wanted ? all.find((i) => i.name === wanted) : all[0]
      if (inst) {
        const role = inst.role ?? 'UNKNOWN'
        return {role, source: 'keepalived-dbus', instance: inst.name, keepalivedState: inst.stateName,
          ...(applied && applied !== role ? {applied} : {}),
          ...(!wanted && all.length > 1 ? {note: `keepalived has ${all.length} instances; set keepalived.instance`} : {})}
      }
      note = wanted ? `keepalived has no instance ${JSON.stringify(wanted)} on D-Bus` : 'keepalived exports no instance on D-Bus'
    } catch (error) {
      note = `keepalived over D-Bus: ${errorLine(error)}`
    }
  } else {
    note = 'keepalived.dbus = false'
  }
  if (state) return {role: state.role, source: 'state-file', instance: state.instance, note}
  return {role: 'UNKNOWN', source: 'none', note: `${note}; no transition recorded`}
}

function lastTransition(s: StateFile): TransitionView {
  return {role: s.role, source: s.source, instance: s.instance, startedAt: iso(s.startedAt), durationMs: Math.round((s.finishedAt - s.startedAt) * 10) / 10, exit: s.exit, steps: s.steps}
}

async function section<T>(fn: () => Promise<T>): Promise<Section<T>> {
  try {
    return {available: true, ...(await fn())}
  } catch (error) {
    return {available: false, reason: errorLine(error)}
  }
}

function attempt<T>(fn: () => T): {value?: T; error?: string} {
  try {
    return {value: fn()}
  } catch (error) {
    return {error: errorLine(error)}
  }
}

const iso = (ms: number) => new Date(ms).toISOString()

/** The state file as the node's filesystem holds it (doctor reads it under --root too). */
export function stateFromFs(fs: RootedFs, stateDir: string): StateFile | undefined {
  const text = fs.read(`${stateDir}/state.json`)
  return text === undefined ? undefined : parseStateFile(text)
}

/** Counts leases in dnsmasq's file (one per line but the `duid` line). */
export function countLeases(text: string): number {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('duid ')).length
}

/**
 * The other node's `status --json`, over the peer port ([peer]: ssh in BatchMode with checked host
 * keys and a hard timeout). Never throws: an unreachable peer is a section saying why, next to
 * this node's status.
 */
export async function peerStatus(peer: Pick<Peer, 'ha' | 'destination'>): Promise<PairStatus['peer']> {
  const name = peer.destination
  try {
    const r = await peer.ha(['status', '--json'])
    const parsed = JSON.parse(r.stdout.toString('utf8')) as NodeStatus | {error: {message: string}}
    if ('error' in parsed) return {available: false, reason: `${name}: ${parsed.error.message}`}
    if (parsed.version !== 1) return {available: false, reason: `${name}: status JSON version ${String((parsed as {version?: unknown}).version)}, expected 1`}
    return parsed
  } catch (error) {
    // The port's own errors name the peer already ("peer X unreachable: ...").
    return {available: false, reason: error instanceof SyntaxError ? `${name}: status --json printed no JSON` : errorLine(error)}
  }
}
