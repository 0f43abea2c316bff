// status --json: the documented shape, each section's source, and a section that cannot be read
// saying why instead of failing the whole command.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import type {KeepalivedInstance} from '../../../src/adapters/keepalived-dbus.js'
import {collectStatus, type NodeStatus, type StatusDeps} from '../../../src/app/status.js'
import {renderPair, renderStatus} from '../../../src/cli/render/status.js'
import {defaultConfig} from '../../../src/config/validate.js'
import type {StateFile} from '../../../src/core/transition/types.js'

const NOW = Date.parse('2026-11-21T12:00:00Z')
const config = {...defaultConfig('ens7'), conntrackd: {...defaultConfig().conntrackd, enabled: true}}

const STATE: StateFile = {
  version: 1, role: 'MASTER', source: 'fifo', instance: 'VI_gateway', startedAt: NOW - 60_000, finishedAt: NOW - 60_000 + 12.34, exit: 0,
  steps: [
    {kind: 'link.up', why: 'bring ens7 up (via netlink)', status: 'ok', durationMs: 2.5},
    {kind: 'rule.add', why: 'route through the WAN: to all lookup 250 priority 32770', status: 'ok', durationMs: 0.4},
  ],
  history: [{role: 'BACKUP', source: 'fifo', startedAt: NOW - 3_600_000, durationMs: 5, exit: 0}],
}

function deps(over: Partial<StatusDeps> = {}): StatusDeps {
  return {
    config,
    hostname: 'gw1',
    now: () => NOW,
    keepalivedInstances: async (): Promise<KeepalivedInstance[]> => [{name: 'VI_gateway', path: '/org/keepalived/Vrrp1/Instance/ens6/60/IPv4', state: 2, stateName: 'Master', role: 'MASTER'}],
    stateFile: () => STATE,
    wan: async () => ({snapshot: {observed: {ruleCount: 1, link: {exists: true, adminUp: true, carrier: true}, hasAddress: true, hasDefaultRoute: true, rule6Count: 1, hasDefaultRoute6: false}, addresses: ['203.0.113.5']}, silenced: false, delegated6: ['2001:db8:100::/56']}),
    conntrackd: async () => ({internal: {active: 12, created: 0, createdFailed: 0, updated: 0, updatedFailed: 0, destroyed: 0, destroyedFailed: 0}, internalBypass: false, external: {active: 3, created: 0, createdFailed: 0, updated: 0, updatedFailed: 0, destroyed: 0, destroyedFailed: 0}, externalInject: false}),
    leases: () => ({count: 7, mtimeMs: NOW - 5000}),
    leaseSync: () => ({at: NOW - 42_000, ok: true}),
    health: () => ({maintenance: {on: false, file: '/run/ha-tool/maintenance'}, track: {file: '/run/ha-tool/track', value: 0, state: 'ok'}, monitor: {status: 'healthy', reason: '2/2 targets answered', pid: 1, running: true} as never}),
    ...over,
  }
}

describe('status --json shape (version 1)', () => {
  test('every section present, in the documented order, with the documented fields', async () => {
    const s = await collectStatus(deps())
    assert.deepEqual(Object.keys(s), ['version', 'node', 'at', 'role', 'transitions', 'wan', 'conntrackd', 'leases', 'health', 'maintenance', 'failbackGate'])
    assert.equal(s.version, 1)
    assert.equal(s.at, '2026-11-21T12:00:00.000Z')
    assert.deepEqual(s.role, {role: 'MASTER', source: 'keepalived-dbus', instance: 'VI_gateway', keepalivedState: 'Master'})
    assert.ok(s.transitions.available)
    assert.deepEqual(s.transitions.last, {role: 'MASTER', source: 'fifo', instance: 'VI_gateway', startedAt: '2026-11-21T11:59:00.000Z', durationMs: 12.3, exit: 0, steps: STATE.steps})
    assert.deepEqual(s.transitions.history, [{role: 'BACKUP', source: 'fifo', startedAt: '2026-11-21T11:00:00.000Z', durationMs: 5, exit: 0}])
    assert.deepEqual(s.wan, {available: true, interface: 'ens7', exists: true, adminUp: true, carrier: true, addresses: ['203.0.113.5'], defaultRoute: true, rule: {table: 250, priority: 32770, copies: 1}, ipv6: {ruleCopies: 1, defaultRoute: false, delegatedPrefixes: ['2001:db8:100::/56']}, silenced: false})
    assert.deepEqual(s.conntrackd, {available: true, internal: 12, external: 3, externalInject: false, internalBypass: false})
    assert.deepEqual(s.leases, {available: true, file: '/var/lib/misc/dnsmasq.leases', count: 7, modifiedAt: '2026-11-21T11:59:55.000Z', lastSync: {at: '2026-11-21T11:59:18.000Z', ageS: 42, ok: true}})
    assert.deepEqual(s.health, {available: true, verdict: 'healthy', reason: '2/2 targets answered', monitorRunning: true, trackFile: '/run/ha-tool/track', trackValue: 0, trackState: 'ok'})
    assert.deepEqual(s.maintenance, {available: true, on: false, since: null, by: null})
    assert.deepEqual(s.failbackGate, {available: false, reason: 'no daemon has written a gate yet'})
    // What a monitoring script would do with it: survives a JSON round trip unchanged.
    assert.deepEqual(JSON.parse(JSON.stringify(s)), s)
  })

  test('lease replication: the last success in each direction, its age, the queue, and a warning past dnsmasq.sync_warn_s', async () => {
    const marks = {toPeer: {at: NOW - 3000, ok: true, lastOkAt: NOW - 3000}, fromPeer: {at: NOW - 1000, ok: false, lastOkAt: NOW - 900_000, error: 'exit 69'}}
    const s = await collectStatus(deps({leaseReplication: () => ({marks, queue: {pending: 4, setAside: 1, oldestAt: NOW - 700_000}})}))
    assert.ok(s.leases.available)
    const r = s.leases.replication!
    assert.deepEqual([r.toPeer.ageS, r.fromPeer.ageS, r.fromPeer.lastTryOk, r.queue], [3, 900, false, {pending: 4, setAside: 1, oldestAgeS: 700}])
    assert.match(r.warning ?? '', /sync_warn_s = 600 s: 4 queued change batches not on the peer for 700 s; 1 batch refused by the peer \(set aside\); no lease sync from the peer for 900 s: exit 69/)
    assert.match(renderStatus(s), /replication\s+to peer 3 s ago, from peer 900 s ago \(latest try failed\); queue 4 \(\+1 set aside\); changes from the hook; WARNING lease replication behind/)
    assert.equal(r.changesFrom, 'hook')
    const fine = await collectStatus(deps({leaseReplication: () => ({marks: {toPeer: marks.toPeer}, queue: {pending: 0, setAside: 0}, watching: true})}))
    assert.equal(fine.leases.available && fine.leases.replication?.warning, null)
    assert.equal(fine.leases.available && fine.leases.replication?.changesFrom, 'lease-file')
    assert.match(renderStatus(fine), /replication\s+to peer 3 s ago, from peer never; queue 0; changes from the lease file$/m)
  })

  test('no D-Bus: the role comes from the state file, and says why', async () => {
    const s = await collectStatus(deps({keepalivedInstances: async () => { throw new Error('D-Bus: no system bus') }}))
    assert.equal(s.role.role, 'MASTER')
    assert.equal(s.role.source, 'state-file')
    assert.match(s.role.note!, /D-Bus: no system bus/)
  })

  test('keepalived says BACKUP while the last transition applied MASTER: both shown', async () => {
    const s = await collectStatus(deps({keepalivedInstances: async () => [{name: 'VI_gateway', path: '/x', state: 1, stateName: 'Backup', role: 'BACKUP'}]}))
    assert.equal(s.role.role, 'BACKUP')
    assert.equal(s.role.applied, 'MASTER')
  })

  test('neither D-Bus nor a state file: UNKNOWN', async () => {
    const s = await collectStatus(deps({keepalivedInstances: async () => [], stateFile: () => undefined}))
    assert.equal(s.role.role, 'UNKNOWN')
    assert.equal(s.role.source, 'none')
    assert.ok(s.transitions.available && s.transitions.last === null)
  })

  test('a section that throws is {available: false, reason}; the others are still there', async () => {
    const s = await collectStatus(deps({
      wan: async () => { throw new Error('ip: not installed or not on PATH') },
      conntrackd: async () => { throw new Error('conntrackd is not running') },
      leases: () => undefined,
      health: () => { throw new Error('health.json: permission denied') },
    }))
    assert.deepEqual(s.wan, {available: false, reason: 'ip: not installed or not on PATH'})
    assert.deepEqual(s.conntrackd, {available: false, reason: 'conntrackd is not running'})
    assert.deepEqual(s.leases, {available: false, reason: '/var/lib/misc/dnsmasq.leases: no such file'})
    assert.deepEqual(s.health, {available: false, reason: 'health.json: permission denied'})
    assert.deepEqual(s.maintenance, {available: false, reason: 'health.json: permission denied'})
    assert.equal(s.role.role, 'MASTER')
    const text = renderStatus(s)
    assert.match(text, /wan\s+unavailable: ip: not installed/)
    assert.match(text, /conntrackd\s+unavailable: conntrackd is not running/)
  })

  test('conntrackd disabled in the config is unavailable with that reason', async () => {
    const s = await collectStatus(deps({config: defaultConfig('ens7')}))
    assert.deepEqual(s.conntrackd, {available: false, reason: 'conntrackd.enabled = false'})
  })
})

describe('text', () => {
  test('one node: role, rule, steps with durations', async () => {
    const text = renderStatus(await collectStatus(deps()))
    assert.match(text, /^gw1 at 2026-11-21T12:00:00\.000Z/)
    assert.match(text, /role\s+MASTER \(keepalived D-Bus, VI_gateway\)/)
    assert.match(text, /wan rule\s+to all lookup 250 priority 32770: present; table 250 default route yes/)
    assert.match(text, /wan rule ipv6\s+present; table 250 IPv6 default route no/)
    assert.match(text, /wan prefix ipv6\s+2001:db8:100::\/56 \(delegated by DHCPv6\)/)
    assert.match(text, /ok\s+2\.5 ms\s+link\.up: bring ens7 up/)
    assert.match(text, /leases\s+7 in \/var\/lib\/misc\/dnsmasq\.leases; last sync 42 s ago/)
  })

  test('the pair side by side; an unreachable peer says why', async () => {
    const local = await collectStatus(deps())
    const peer: NodeStatus = {...await collectStatus(deps({hostname: 'gw2', keepalivedInstances: async () => [{name: 'VI_gateway', path: '/x', state: 1, stateName: 'Backup', role: 'BACKUP'}]}))}
    const lines = renderPair({local, peer}).split('\n')
    assert.match(lines[0], /gw1\s+gw2$/)
    assert.match(lines.find((l) => l.includes('role'))!, /MASTER .*BACKUP/)
    const down = renderPair({local, peer: {available: false, reason: 'ssh root@192.168.190.2: Connection refused'}})
    assert.match(down, /role\s+MASTER.*unavailable: ssh root@192\.168\.190\.2: Connection refused/)
  })
})

describe('status: the failback gate', () => {
  test('closed: since when, flows missing, in the JSON and the text; a dead daemon\'s gate is not reported as current', async () => {
    const gate = {open: false, since: Date.UTC(2026, 11, 6, 10, 0, 0), reason: 'closed: behind', missing: 7, extra: 1, master: 40, checkedAt: Date.UTC(2026, 11, 6, 10, 0, 5)}
    const s = await collectStatus({...deps(), failbackGate: () => ({state: gate, running: true})})
    assert.deepEqual(s.failbackGate, {available: true, open: false, since: '2026-12-06T10:00:00.000Z', reason: 'closed: behind', missing: 7, extra: 1, masterFlows: 40, checkedAt: '2026-12-06T10:00:05.000Z', timedOut: false})
    assert.match(renderStatus(s), /failback gate +CLOSED since 2026-12-06T10:00:00\.000Z: 7 of the MASTER's 40 flows missing, 1 extra/)
    const gone = await collectStatus({...deps(), failbackGate: () => ({state: gate, running: false})})
    assert.deepEqual(gone.failbackGate, {available: false, reason: 'the daemon that wrote it is gone (it said closed)'})
    const open = await collectStatus({...deps(), failbackGate: () => ({state: {open: true, since: gate.since, reason: 'conntrackd.failback_timeout_ms (60000 ms) expired', timedOut: true}, running: true})})
    assert.match(renderStatus(open), /failback gate +open since 2026-12-06T10:00:00\.000Z \(TIMED OUT\): conntrackd\.failback_timeout_ms/)
  })
})
