import type {ProbeResult} from '../../core/health/verdict.js'
import type {DaemonCounters} from '../../core/metrics/counters.js'
import {type MetricFamily, type MetricType, oneHot, type Sample} from '../../core/metrics/exposition.js'
import type {NodeStatus} from '../status.js'

/** Everything the metrics are made of: the node as `status --json` sees it, plus what only the daemon knows. */
export type MetricsInput = {
  status: NodeStatus
  counters: DaemonCounters
  /** The health monitor's last probe results (none when it does not run). */
  probes: readonly ProbeResult[]
  /** Wall-clock ms the daemon started. */
  startedAt: number
}

type Def = {name: string; help: string; type: MetricType; samples(i: MetricsInput): Sample[]}

const ROLES = ['MASTER', 'BACKUP', 'FAULT', 'STOP', 'UNKNOWN']
const VERDICTS = ['healthy', 'unhealthy', 'standby', 'maintenance', 'unknown']
const s = (value: number | null | undefined, labels?: Record<string, string>): Sample[] => (typeof value === 'number' ? [{value, ...(labels ? {labels} : {})}] : [])
const bool = (v: boolean | null | undefined) => (typeof v === 'boolean' ? (v ? 1 : 0) : undefined)
const split = (key: string) => key.split(' ')
const on = <T extends {available: boolean}>(section: T) => (section.available ? (section as Extract<T, {available: true}>) : undefined)

/**
 * The daemon's metrics, one row each. A section `status` cannot read yields no sample (the metric is absent,
 * not 0), so an alert on it does not fire on a missing conntrackd. Adding a metric is one row here.
 */
export const METRICS: readonly Def[] = [
  {name: 'ha_tool_role', type: 'gauge', help: 'VRRP role of this node per keepalived instance: 1 for the current role (keepalived over D-Bus, else the last applied transition)',
    samples: ({status: {role}}) => oneHot('role', ROLES, role.role, {instance: role.instance ?? ''})},
  {name: 'ha_tool_transitions_total', type: 'counter', help: 'transitions the daemon applied, by role and by what asked for it (fifo, dbus, watchdog, reconcile)',
    samples: ({counters}) => Object.entries(counters.transitions).map(([k, value]) => ({labels: {role: split(k)[0], source: split(k)[1]}, value}))},
  {name: 'ha_tool_last_transition_duration_seconds', type: 'gauge', help: 'how long the last transition took (from the state file: notify runs count too)',
    samples: ({status}) => { const l = on(status.transitions)?.last; return s(l ? l.durationMs / 1000 : undefined) }},
  {name: 'ha_tool_last_transition_exit_code', type: 'gauge', help: 'exit code of the last transition: 0 ok, 3 partial (some steps failed), 1 failed',
    samples: ({status}) => s(on(status.transitions)?.last?.exit)},
  {name: 'ha_tool_last_transition_timestamp_seconds', type: 'gauge', help: 'when the last transition started (Unix time)',
    samples: ({status}) => { const l = on(status.transitions)?.last; return s(l ? Date.parse(l.startedAt) / 1000 : undefined) }},
  {name: 'ha_tool_steps_failed_total', type: 'counter', help: 'transition steps that failed, by step kind',
    samples: ({counters}) => Object.entries(counters.stepsFailed).map(([step, value]) => ({labels: {step}, value}))},
  {name: 'ha_tool_watchdog_actions_total', type: 'counter', help: 'watchdog actions: stop = converged to STOP because keepalived died without one',
    samples: ({counters}) => oneHot('action', ['stop'], undefined).map((x) => ({...x, value: counters.watchdog[x.labels!.action] ?? 0}))},
  {name: 'ha_tool_wan_rule_copies', type: 'gauge', help: 'copies of the WAN routing rule (1 on the MASTER, 0 elsewhere; both nodes at 1 is a split brain)',
    samples: ({status}) => s(on(status.wan)?.rule.copies)},
  {name: 'ha_tool_wan_carrier', type: 'gauge', help: 'the WAN link has carrier',
    samples: ({status}) => s(bool(on(status.wan)?.carrier))},
  {name: 'ha_tool_health_verdict', type: 'gauge', help: 'the health monitor\'s verdict: 1 for the current one',
    samples: ({status}) => { const h = on(status.health); return h?.verdict ? oneHot('verdict', VERDICTS, h.verdict) : [] }},
  {name: 'ha_tool_health_probe_success', type: 'gauge', help: 'the last probe of each health target answered',
    samples: ({probes}) => probes.filter((p) => !p.skipped).map((p) => ({labels: {target: p.target, kind: p.kind}, value: p.ok ? 1 : 0}))},
  {name: 'ha_tool_health_probe_duration_seconds', type: 'gauge', help: 'how long the last probe of each health target took',
    samples: ({probes}) => probes.filter((p) => !p.skipped).map((p) => ({labels: {target: p.target, kind: p.kind}, value: p.ms / 1000}))},
  {name: 'ha_tool_maintenance', type: 'gauge', help: '1 while maintenance mode keeps this node out of MASTER',
    samples: ({status}) => s(bool(on(status.maintenance)?.on))},
  {name: 'ha_tool_leases', type: 'gauge', help: 'leases in this node\'s dnsmasq lease file',
    samples: ({status}) => s(on(status.leases)?.count)},
  {name: 'ha_tool_lease_sync_age_seconds', type: 'gauge', help: 'seconds since the last lease sync with the peer (replication lag)',
    samples: ({status}) => s(on(status.leases)?.lastSync?.ageS)},
  {name: 'ha_tool_lease_replication_age_seconds', type: 'gauge', help: 'seconds since lease replication last succeeded, by direction: to_peer (this node\'s changes delivered), from_peer (the peer\'s leases here)',
    samples: ({status}) => { const r = on(status.leases)?.replication; return r ? [...s(r.toPeer.ageS, {direction: 'to_peer'}), ...s(r.fromPeer.ageS, {direction: 'from_peer'})] : [] }},
  {name: 'ha_tool_lease_replication_queue_length', type: 'gauge', help: 'lease change batches waiting for the peer (pending) or refused by it (set_aside)',
    samples: ({status}) => { const q = on(status.leases)?.replication?.queue; return q ? [{labels: {state: 'pending'}, value: q.pending}, {labels: {state: 'set_aside'}, value: q.setAside}] : [] }},
  {name: 'ha_tool_lease_replication_oldest_queued_seconds', type: 'gauge', help: 'age of the oldest lease change still queued for the peer',
    samples: ({status}) => s(on(status.leases)?.replication?.queue.oldestAgeS)},
  {name: 'ha_tool_lease_replication_behind', type: 'gauge', help: '1 when lease replication is behind by more than dnsmasq.sync_warn_s (status says why)',
    samples: ({status}) => { const r = on(status.leases)?.replication; return r ? [{value: r.warning ? 1 : 0}] : [] }},
  {name: 'ha_tool_conntrackd_cache_entries', type: 'gauge', help: 'flows in conntrackd\'s caches: internal (this node\'s) and external (from the peer)',
    samples: ({status}) => { const c = on(status.conntrackd); return c ? [...s(c.internal, {cache: 'internal'}), ...s(c.external, {cache: 'external'})] : [] }},
  {name: 'ha_tool_failback_gate_open', type: 'gauge', help: '1 while the failback gate lets this node become MASTER (0: it still lacks the MASTER\'s flows)',
    samples: ({status}) => s(bool(on(status.failbackGate)?.open))},
  {name: 'ha_tool_failback_gate_missing_flows', type: 'gauge', help: 'flows of the MASTER this node does not hold yet (the failback gate\'s last check)',
    samples: ({status}) => s(on(status.failbackGate)?.missing)},
  {name: 'ha_tool_daemon_start_time_seconds', type: 'gauge', help: 'when the daemon started (Unix time)',
    samples: ({startedAt}) => s(startedAt / 1000)},
  {name: 'ha_tool_metrics_timestamp_seconds', type: 'gauge', help: 'when these metrics were collected (Unix time): a stale file means a stopped daemon',
    samples: ({status}) => s(Date.parse(status.at) / 1000)},
]

export function nodeMetrics(input: MetricsInput): MetricFamily[] {
  return METRICS.map((d) => ({name: d.name, help: d.help, type: d.type, samples: d.samples(input)}))
}
