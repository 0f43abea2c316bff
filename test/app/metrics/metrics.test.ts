// The daemon's metrics from what status collects plus the daemon's own counters: every metric the issue
// asks for that exists today, absent (not 0) when its section cannot be read, and the service that
// collects them on a timer and after each transition, without ever failing the daemon.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {METRICS, nodeMetrics} from '../../../src/app/metrics/node-metrics.js'
import {startMetricsService, type MetricsServiceDeps} from '../../../src/app/metrics/metrics-service.js'
import type {NodeStatus} from '../../../src/app/status.js'
import {defaultConfig} from '../../../src/config/validate.js'
import {countTransition, NO_COUNTS} from '../../../src/core/metrics/counters.js'
import {renderExposition} from '../../../src/core/metrics/exposition.js'
import {parsePrometheusText, sampleValue} from '../../support/prometheus-text.js'

const AT = '2026-11-21T12:00:00.000Z'
const STATUS: NodeStatus = {
  version: 1, node: 'gw1', at: AT,
  role: {role: 'MASTER', source: 'keepalived-dbus', instance: 'VI_gateway', keepalivedState: 'Master'},
  transitions: {available: true, last: {role: 'MASTER', source: 'fifo', instance: 'VI_gateway', startedAt: '2026-11-21T11:59:00.000Z', durationMs: 12.5, exit: 3, steps: []}, history: []},
  wan: {available: true, interface: 'ens7', exists: true, adminUp: true, carrier: true, addresses: ['203.0.113.5'], defaultRoute: true, rule: {table: 250, priority: 32770, copies: 1}, ipv6: null, silenced: false},
  conntrackd: {available: true, internal: 12, external: 3, externalInject: false, internalBypass: false},
  leases: {available: true, file: '/var/lib/misc/dnsmasq.leases', count: 7, modifiedAt: AT, lastSync: {at: AT, ageS: 42, ok: true},
    replication: {toPeer: {lastOkAt: AT, ageS: 3, lastTryOk: true, error: null}, fromPeer: {lastOkAt: null, ageS: null, lastTryOk: null, error: null}, queue: {pending: 2, setAside: 1, oldestAgeS: 75}, changesFrom: 'lease-file', warning: 'behind'}},
  health: {available: true, verdict: 'healthy', reason: '2/2', monitorRunning: true, trackFile: '/run/ha-tool/track', trackValue: 0, trackState: 'ok'},
  maintenance: {available: true, on: false, since: null, by: null},
  failbackGate: {available: true, open: false, since: AT, reason: 'missing flows', missing: 4, extra: 0, masterFlows: 10, checkedAt: AT, timedOut: false},
}
const PROBES = [
  {target: '192.0.2.1', kind: 'icmp' as const, ok: true, ms: 1.5, detail: ''},
  {target: 'tcp://192.0.2.53:53', kind: 'tcp' as const, ok: false, ms: 800, detail: 'timeout'},
  {target: 'https://example.com/', kind: 'http' as const, ok: true, ms: 0, detail: '', skipped: true},
]

const parse = (status: NodeStatus, counters = NO_COUNTS, probes = PROBES) =>
  parsePrometheusText(renderExposition(nodeMetrics({status, counters, probes, startedAt: Date.parse(AT) - 3_600_000})))

describe('node metrics', () => {
  test('every metric from status and the counters, with the values they came from', () => {
    let counters = countTransition(NO_COUNTS, {role: 'MASTER', source: 'fifo', steps: [{kind: 'conntrackd.commit', status: 'failed'}]})
    counters = countTransition(counters, {role: 'STOP', source: 'watchdog', steps: []})
    const f = parse(STATUS, counters)
    assert.equal(sampleValue(f, 'ha_tool_role', {instance: 'VI_gateway', role: 'MASTER'}), 1)
    assert.equal(sampleValue(f, 'ha_tool_role', {instance: 'VI_gateway', role: 'BACKUP'}), 0)
    assert.equal(f.get('ha_tool_role')!.samples.reduce((a, s) => a + s.value, 0), 1)
    assert.equal(sampleValue(f, 'ha_tool_transitions_total', {role: 'MASTER', source: 'fifo'}), 1)
    assert.equal(sampleValue(f, 'ha_tool_transitions_total', {role: 'STOP', source: 'watchdog'}), 1)
    assert.equal(f.get('ha_tool_transitions_total')!.type, 'counter')
    assert.equal(sampleValue(f, 'ha_tool_last_transition_duration_seconds'), 0.0125)
    assert.equal(sampleValue(f, 'ha_tool_last_transition_exit_code'), 3)
    assert.equal(sampleValue(f, 'ha_tool_last_transition_timestamp_seconds'), Date.parse('2026-11-21T11:59:00Z') / 1000)
    assert.equal(sampleValue(f, 'ha_tool_steps_failed_total', {step: 'conntrackd.commit'}), 1)
    assert.equal(sampleValue(f, 'ha_tool_watchdog_actions_total', {action: 'stop'}), 1)
    assert.equal(sampleValue(f, 'ha_tool_wan_rule_copies'), 1)
    assert.equal(sampleValue(f, 'ha_tool_wan_carrier'), 1)
    assert.equal(sampleValue(f, 'ha_tool_health_verdict', {verdict: 'healthy'}), 1)
    assert.equal(sampleValue(f, 'ha_tool_health_verdict', {verdict: 'unhealthy'}), 0)
    assert.equal(sampleValue(f, 'ha_tool_health_probe_success', {target: '192.0.2.1', kind: 'icmp'}), 1)
    assert.equal(sampleValue(f, 'ha_tool_health_probe_success', {target: 'tcp://192.0.2.53:53'}), 0)
    assert.equal(sampleValue(f, 'ha_tool_health_probe_duration_seconds', {target: 'tcp://192.0.2.53:53'}), 0.8)
    assert.equal(sampleValue(f, 'ha_tool_health_probe_success', {target: 'https://example.com/'}), undefined, 'a skipped probe has no sample')
    assert.equal(sampleValue(f, 'ha_tool_maintenance'), 0)
    assert.equal(sampleValue(f, 'ha_tool_leases'), 7)
    assert.equal(sampleValue(f, 'ha_tool_lease_sync_age_seconds'), 42)
    assert.equal(sampleValue(f, 'ha_tool_lease_replication_age_seconds', {direction: 'to_peer'}), 3)
    assert.equal(sampleValue(f, 'ha_tool_lease_replication_age_seconds', {direction: 'from_peer'}), undefined, 'never synced: no sample')
    assert.equal(sampleValue(f, 'ha_tool_lease_replication_queue_length', {state: 'pending'}), 2)
    assert.equal(sampleValue(f, 'ha_tool_lease_replication_queue_length', {state: 'set_aside'}), 1)
    assert.equal(sampleValue(f, 'ha_tool_lease_replication_oldest_queued_seconds'), 75)
    assert.equal(sampleValue(f, 'ha_tool_lease_replication_behind'), 1)
    assert.equal(sampleValue(f, 'ha_tool_conntrackd_cache_entries', {cache: 'internal'}), 12)
    assert.equal(sampleValue(f, 'ha_tool_conntrackd_cache_entries', {cache: 'external'}), 3)
    assert.equal(sampleValue(f, 'ha_tool_failback_gate_open'), 0)
    assert.equal(sampleValue(f, 'ha_tool_failback_gate_missing_flows'), 4)
    assert.equal(sampleValue(f, 'ha_tool_metrics_timestamp_seconds'), Date.parse(AT) / 1000)
    assert.equal(sampleValue(f, 'ha_tool_daemon_start_time_seconds'), Date.parse(AT) / 1000 - 3600)
    // Every row of the table produced something here: a new row needs a value in this fixture.
    assert.deepEqual(METRICS.map((m) => m.name).filter((n) => !f.has(n)), [])
  })

  test('a section status cannot read leaves its metrics out instead of reporting 0', () => {
    const gone = {available: false as const, reason: 'conntrackd.enabled = false'}
    const f = parse({...STATUS, role: {role: 'UNKNOWN', source: 'none'}, transitions: gone, wan: gone, conntrackd: gone, leases: gone, health: gone, maintenance: gone, failbackGate: gone}, NO_COUNTS, [])
    for (const name of ['ha_tool_last_transition_duration_seconds', 'ha_tool_wan_rule_copies', 'ha_tool_conntrackd_cache_entries', 'ha_tool_leases', 'ha_tool_health_verdict', 'ha_tool_maintenance', 'ha_tool_health_probe_success']) {
      assert.equal(f.has(name), false, name)
    }
    assert.equal(sampleValue(f, 'ha_tool_role', {role: 'UNKNOWN', instance: ''}), 1)
    assert.equal(sampleValue(f, 'ha_tool_watchdog_actions_total', {action: 'stop'}), 0, 'a counter that exists is 0 from the start')
  })
})

function fakeDeps(over: Partial<MetricsServiceDeps> = {}) {
  const written: string[] = []
  const timers: Array<() => void> = []
  let status = STATUS
  let collections = 0
  const deps: MetricsServiceDeps = {
    collectStatus: async () => { collections++; await new Promise((r) => setTimeout(r, 5)); return status },
    probes: () => PROBES,
    writeTextfile: (text) => { written.push(text); return '/x/ha-tool.prom' },
    now: () => Date.parse(AT),
    every: (_ms, fn) => { timers.push(fn); return {stop: () => { timers.length = 0 }} },
    after: (_ms, fn) => fn(),
    ...over,
  }
  return {deps, written, timers, setStatus: (s: NodeStatus) => { status = s }, collections: () => collections}
}
const logger = () => {
  const lines: Array<{level: string; msg: string}> = []
  const log = {info: (_o: unknown, msg: string) => lines.push({level: 'info', msg}), warn: (_o: unknown, msg: string) => lines.push({level: 'warn', msg}), error: (_o: unknown, msg: string) => lines.push({level: 'error', msg}), debug: () => {}, child: () => log}
  return {log: log as never, lines}
}
const config = {...defaultConfig('ens7'), metrics: {textfile_dir: '/x', listen: '', interval_ms: 15000}}

describe('metrics service', () => {
  test('writes at start, on the timer and after a transition, counting it', async () => {
    const f = fakeDeps()
    const {log} = logger()
    const svc = await startMetricsService(f.deps, config, log)
    await svc.refresh()
    assert.ok(f.written.length >= 1, 'written at start')
    f.setStatus({...STATUS, role: {role: 'BACKUP', source: 'keepalived-dbus', instance: 'VI_gateway'}})
    svc.count({role: 'BACKUP', source: 'fifo', steps: [{kind: 'rule.del', status: 'failed'}]})
    svc.afterTransition!('BACKUP')
    await svc.refresh()
    const last = parsePrometheusText(f.written.at(-1)!)
    assert.equal(sampleValue(last, 'ha_tool_role', {role: 'BACKUP'}), 1)
    assert.equal(sampleValue(last, 'ha_tool_transitions_total', {role: 'BACKUP', source: 'fifo'}), 1)
    assert.equal(sampleValue(last, 'ha_tool_steps_failed_total', {step: 'rule.del'}), 1)
    const before = f.written.length
    f.timers[0]()
    await svc.refresh()
    assert.ok(f.written.length > before)
    assert.equal(svc.text(), f.written.at(-1))
    await svc.stop()
    assert.equal(f.timers.length, 0)
  })

  test('requests during a collection coalesce into one more, not one each', async () => {
    const f = fakeDeps()
    const svc = await startMetricsService(f.deps, config, logger().log)
    for (let i = 0; i < 10; i++) svc.afterTransition!('MASTER')
    await svc.refresh()
    assert.ok(f.collections() <= 3, `${f.collections()} collections`)
    await svc.stop()
  })

  test('a textfile that cannot be written is logged once, retried, and never throws', async () => {
    let fail = true
    const f = fakeDeps({writeTextfile: () => { if (fail) throw new Error('EACCES: permission denied'); return '/x/ha-tool.prom' }})
    const {log, lines} = logger()
    const svc = await startMetricsService(f.deps, config, log)
    await svc.refresh()
    await svc.refresh()
    await svc.refresh()
    assert.equal(lines.filter((l) => l.level === 'error').length, 1)
    fail = false
    await svc.refresh()
    assert.ok(lines.some((l) => l.msg.includes('written again')))
    await svc.stop()
  })

  test('the HTTP endpoint gets the latest text, and is closed at stop', async () => {
    let render: () => string = () => ''
    let closed = false
    const f = fakeDeps({writeTextfile: undefined, serve: async (r) => { render = r; return {address: '127.0.0.1:1', close: async () => { closed = true }} }})
    const svc = await startMetricsService(f.deps, config, logger().log)
    await svc.refresh()
    assert.equal(sampleValue(parsePrometheusText(render()), 'ha_tool_leases'), 7)
    await svc.stop()
    assert.ok(closed)
  })
})
