// `ha-tool resync` and the conntrackd step executors against a fake conntrackd.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {silentLogger} from '../../../src/adapters/log.js'
import {runResync, type ResyncDeps} from '../../../src/app/resync.js'
import {renderResync} from '../../../src/cli/render/resync.js'
import {type ConntrackBackend, makeConntrackExecutors} from '../../../src/app/steps/conntrack.js'
import {defaultConfig} from '../../../src/config/validate.js'
import {type FlowRecord, masterFlowRecords, parseFlows} from '../../../src/core/conntrack/flows.js'
import {HaError} from '../../../src/core/errors.js'
import {fakeConf, fakeConntrackd, fakeFlowLines, type FakeState} from './fake-conntrackd.js'

type Setup = {state?: Partial<FakeState>; stateFile?: string; peer?: number | Error; lockBusy?: boolean; configure?: (c: ReturnType<typeof defaultConfig>) => void}

function setup(s: Setup = {}) {
  const {client, state} = fakeConntrackd(s.state)
  const config = defaultConfig()
  config.state.dir = '/run/ha-test'
  config.conntrackd.verify_timeout_ms = 1000
  s.configure?.(config)
  let clock = 0
  const peerFlows = s.peer === undefined ? undefined : async (): Promise<FlowRecord[]> => {
    if (s.peer instanceof Error) throw s.peer
    return masterFlowRecords(parseFlows(fakeFlowLines(s.peer as number)), undefined)
  }
  const backend: ConntrackBackend = {client: () => client, peerFlows: () => peerFlows, kernelFlows: async () => '', sleep: async (ms) => { clock += ms }, mono: () => clock}
  const locks: string[] = []
  const deps: ResyncDeps = {
    config, log: silentLogger, mono: () => clock,
    executors: makeConntrackExecutors(backend),
    client,
    readState: (path) => (path === '/run/ha-test/state.json' ? s.stateFile : undefined),
    lock: async (path) => {
      if (s.lockBusy) throw new HaError(`lock ${path} is busy`, 75)
      locks.push(path)
      return {release: async () => { locks.push(`released ${path}`) }}
    },
  }
  return {deps, state, locks}
}

const summary = (r: {steps: Array<{kind: string; status: string}>}) => r.steps.map((x) => `${x.kind.replace('conntrackd.', '')}:${x.status}`)

describe('resync MASTER', () => {
  test('commits the peer\'s flows, proves it from the log, then -f -R -B; under the transition lock', async () => {
    const {deps, state, locks} = setup({state: {external: 3}})
    const out = await runResync(deps, {role: 'master'})
    assert.equal(out.exit, 0)
    assert.deepEqual(summary(out.result), ['commit:ok', 'flush:ok', 'resync-kernel:ok', 'bulk-send:ok'])
    assert.match(out.result.steps[0].detail!, /^committed 3 entries; kernel table 0 -> 3/)
    assert.equal(state.kernel, 3)
    assert.deepEqual(state.requests.filter((r) => r !== 'stats'), ['commit', 'flush', 'resync-kernel', 'bulk-send'])
    assert.deepEqual(locks, ['/run/ha-test/lock', 'released /run/ha-test/lock'])
    assert.equal(out.result.roleFrom, 'flag')
    assert.match(renderResync(out.result, deps.config.conntrackd.enabled), /^resync for MASTER \(role from --role\); conntrackd FTFW, external cache on\n {2}ok {6}-c {5}committed 3/)
  })

  test('a commit conntrackd skipped (exit 0) is reported as failed, the rest still runs: exit 3', async () => {
    const {deps} = setup({state: {external: 3, commitBehaviour: 'skip'}})
    const out = await runResync(deps, {role: 'master'})
    assert.equal(out.exit, 3)
    assert.deepEqual(summary(out.result), ['commit:failed', 'flush:ok', 'resync-kernel:ok', 'bulk-send:ok'])
    assert.match(out.result.steps[0].error!, /skipped the commit/)
  })

  test('-f ignored by conntrackd (exit 0, HashSize bug): reported with the fix, the internal cache flushed instead', async () => {
    const {deps, state} = setup({state: {external: 2, flushIgnored: true, conf: fakeConf('Mode FTFW {\n }', 'LogFile /l\n HashSize 8192')}})
    const out = await runResync(deps, {role: 'master'})
    assert.equal(out.exit, 3)
    assert.deepEqual(summary(out.result), ['commit:ok', 'flush:failed', 'resync-kernel:ok', 'bulk-send:ok'])
    assert.match(out.result.steps[1].error!, /^conntrackd -f: ignored by conntrackd \(it still exits 0\): conntrackd bug with HashSize 8192 <= 8192: .*set HashSize 16384 or more in \/etc\/ct.conf/)
    assert.deepEqual(state.requests.filter((r) => r.startsWith('flush')), ['flush', 'flush-internal'])
  })

  test('no LogFile: the commit is judged by the kernel table count', async () => {
    const {deps} = setup({state: {external: 5, kernel: 1, log: undefined}})
    const out = await runResync(deps, {role: 'master'})
    assert.equal(out.exit, 0)
    assert.match(out.result.steps[0].detail!, /external cache held 5 entries; kernel table 1 -> 6 \(counts only/)
  })

  test('a LogFile without the commit\'s lines (it logs elsewhere): judged by counts, not called unconfirmed', async () => {
    const {deps, state} = setup({state: {external: 4, kernel: 2, commitBehaviour: 'unlogged'}})
    const out = await runResync(deps, {role: 'master'})
    assert.equal(out.exit, 0)
    assert.match(out.result.steps[0].detail!, /^external cache held 4 entries; kernel table 2 -> 6 \(counts only/)
    assert.equal(state.requests[0], 'commit', 'no -s before the commit when there is a log to read')
  })

  test('no LogFile and a commit that changed nothing: not confirmed, although conntrackd exited 0', async () => {
    const {deps} = setup({state: {external: 5, kernel: 0, log: undefined, commitBehaviour: 'silent'}})
    const out = await runResync(deps, {role: 'master'})
    assert.equal(out.exit, 3)
    assert.match(out.result.steps[0].error!, /commit not confirmed: the external cache held 5 entries but the kernel table has 0/)
  })

  test('conntrackd not running: one clear failure, the rest not run, exit 69', async () => {
    const {deps} = setup({state: {running: false}})
    const out = await runResync(deps, {role: 'master'})
    assert.equal(out.exit, 69)
    assert.deepEqual(summary(out.result), ['commit:failed', 'flush:skipped', 'resync-kernel:skipped', 'bulk-send:skipped'])
    assert.equal(out.result.steps[0].error, 'conntrackd -C /etc/ct.conf -s: conntrackd is not running (no socket at /run/ct.sock) (start it)')
    assert.match(out.result.steps[1].detail!, /^not run: /)
  })

  test('DisableExternalCache on: -c is skipped with the reason, nothing is asked of conntrackd for it', async () => {
    const {deps, state} = setup({state: {conf: fakeConf('Mode FTFW {\n DisableExternalCache on\n }')}})
    const out = await runResync(deps, {role: 'master'})
    assert.equal(out.exit, 0)
    assert.deepEqual(summary(out.result), ['commit:skipped', 'flush:ok', 'resync-kernel:ok', 'bulk-send:ok'])
    assert.match(out.result.steps[0].detail!, /^DisableExternalCache is on/)
    assert.ok(!state.requests.includes('commit'))
    assert.match(renderResync(out.result, deps.config.conntrackd.enabled), /external cache off/)
  })

  test('ALARM: -B is skipped and says why', async () => {
    const {deps, state} = setup({state: {conf: fakeConf('Mode ALARM {\n }'), external: 1}})
    const out = await runResync(deps, {role: 'master'})
    assert.deepEqual(summary(out.result), ['commit:ok', 'flush:ok', 'resync-kernel:ok', 'bulk-send:skipped'])
    assert.match(out.result.steps[3].detail!, /ALARM mode has no resync/)
    assert.ok(!state.requests.includes('bulk-send'))
  })
})

describe('resync BACKUP (the failback path)', () => {
  test('role from the state file; starts conntrackd, -t, -n, and the MASTER\'s flows arrive', async () => {
    const {deps, state} = setup({state: {running: false, peerInternal: 40, arrivePerPoll: 15}, stateFile: JSON.stringify({version: 1, role: 'BACKUP'}), peer: 40})
    const out = await runResync(deps, {})
    assert.equal(out.exit, 0)
    assert.equal(out.result.roleFrom, 'state-file')
    assert.deepEqual(summary(out.result), ['start:ok', 'purge:ok', 'request-resync:ok', 'verify-sync:ok'])
    assert.equal(out.result.steps[0].detail, 'started conntrackd')
    assert.match(out.result.steps[3].detail!, /^in sync: 40 of the MASTER's 40 flows are here \(0 missing, 2 allowed\)/)
    assert.equal(state.external, 40)
  })

  test('the resync never arrives: the failback check fails (exit 3), naming the counts', async () => {
    const {deps} = setup({state: {peerInternal: 40, arrivePerPoll: 0}, peer: 40})
    const out = await runResync(deps, {role: 'backup'})
    assert.equal(out.exit, 3)
    assert.equal(out.result.steps[3].status, 'failed')
    assert.match(out.result.steps[3].error!, /failback resync incomplete: behind: 40 of the MASTER's 40 flows are missing here \(2 allowed\) after 1000 ms; e\.g\. tcp src=192\.168\.1\.100 /)
  })

  test('without a peer to ask the check reports what arrived and says it could not compare', async () => {
    const {deps} = setup({state: {peerInternal: 7, arrivePerPoll: 7}})
    const out = await runResync(deps, {role: 'backup'})
    assert.equal(out.exit, 0)
    assert.match(out.result.steps[3].detail!, /^unverified: this node holds 7 flows from the MASTER; there is no peer to compare with/)
  })

  test('the peer cannot be read: unverified, with the reason', async () => {
    const {deps} = setup({state: {peerInternal: 7, arrivePerPoll: 7}, peer: new HaError('ssh: connection refused', 69)})
    const out = await runResync(deps, {role: 'backup'})
    assert.match(out.result.steps[3].detail!, /the MASTER's flows could not be read: ssh: connection refused/)
  })

  test('start fails: exit 69 and nothing else is tried', async () => {
    const {deps} = setup({state: {running: false, fail: {start: new HaError('conntrackd -d: could not start conntrackd: exit 1', 69)}}})
    const out = await runResync(deps, {role: 'backup'})
    assert.equal(out.exit, 69)
    assert.deepEqual(summary(out.result), ['start:failed', 'purge:skipped', 'request-resync:skipped', 'verify-sync:skipped'])
  })

  test('start_on_backup = false: a stopped conntrackd is reported, not started', async () => {
    const {deps, state} = setup({state: {running: false}, configure: (c) => { c.conntrackd.start_on_backup = false }})
    const out = await runResync(deps, {role: 'backup'})
    assert.equal(out.exit, 69)
    assert.ok(!state.requests.includes('start'))
    assert.deepEqual(summary(out.result).slice(0, 2), ['purge:failed', 'request-resync:skipped'])
  })
})

describe('resync: role and edge cases', () => {
  test('FAULT: -t only', async () => {
    const {deps} = setup()
    const out = await runResync(deps, {role: 'fault'})
    assert.deepEqual(summary(out.result), ['purge:ok'])
    assert.match(out.result.steps[0].detail!, /flush scheduled in 60 s/)
  })

  test('STOP in the state file: nothing to do, exit 0', async () => {
    const {deps} = setup({stateFile: JSON.stringify({role: 'STOP'})})
    const out = await runResync(deps, {})
    assert.equal(out.exit, 0)
    assert.deepEqual(out.result.steps, [])
    assert.match(renderResync(out.result, deps.config.conntrackd.enabled), /nothing to do/)
  })

  test('no state file and no --role: usage error (2) saying what to pass', async () => {
    const {deps} = setup()
    await assert.rejects(runResync(deps, {}), (e: unknown) => e instanceof HaError && e.exit === 2 && /state.json does not exist/.test(e.message) && e.hint === 'pass --role master|backup|fault')
  })

  test('a state file that is not JSON or has no role: one line, exit 1', async () => {
    await assert.rejects(runResync(setup({stateFile: '{'}).deps, {}), (e: unknown) => e instanceof HaError && e.exit === 1 && /not valid JSON/.test(e.message))
    await assert.rejects(runResync(setup({stateFile: '{"role":"LEADER"}'}).deps, {}), (e: unknown) => e instanceof HaError && /no valid role/.test(e.message))
  })

  test('a transition holds the lock: busy (75), nothing run', async () => {
    const {deps, state} = setup({lockBusy: true})
    await assert.rejects(runResync(deps, {role: 'master'}), (e: unknown) => e instanceof HaError && e.exit === 75)
    assert.deepEqual(state.requests, [])
  })

  test('an unreadable conntrackd.conf: the steps run blind and report conntrackd\'s own failure', async () => {
    const {deps} = setup({state: {conf: new HaError('/etc/ct.conf: no such conntrackd config', 78)}, configure: (c) => { c.conntrackd.enabled = true }})
    const out = await runResync(deps, {role: 'fault'})
    assert.deepEqual(summary(out.result), ['purge:ok'])
    assert.match(renderResync(out.result, deps.config.conntrackd.enabled), /conntrackd config \/etc\/ct.conf unreadable/)
  })

  test('the note when conntrackd.enabled is false', async () => {
    const {deps} = setup()
    assert.match(renderResync((await runResync(deps, {role: 'fault'})).result, deps.config.conntrackd.enabled), /conntrackd.enabled is false/)
  })
})
