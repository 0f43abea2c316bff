// The primary-backup.sh sequences per role, and what each conntrackd mode turns into a no-op.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {parseConntrackdConf} from '../../../src/core/conntrack/config.js'
import {type ConntrackPlanInfo, conntrackSteps} from '../../../src/core/conntrack/plan.js'
import {planTransition} from '../../../src/core/transition/plan.js'
import type {Step} from '../../../src/core/transition/types.js'

const conf = (mode: string, body = '') =>
  parseConntrackdConf(`Sync {\n Mode ${mode} {\n${body}\n }\n UDP {\n Interface e\n }\n}\nGeneral {\n UNIX {\n Path /s\n }\n}\n`).conf

const info = (over: Partial<ConntrackPlanInfo> = {}): ConntrackPlanInfo =>
  ({enabled: true, conf: conf('FTFW'), startOnBackup: true, verifyFailback: true, commitTimeoutMs: 30000, startCommand: [], startTimeoutMs: 10000, verifyTimeoutMs: 1000, syncTolerancePercent: 2, ...over})

/** The conntrackd flag a step runs, or its action when it runs no flag (start, verify-sync). */
const flagOf = (s: Step) => ('flag' in s.args ? s.args.flag : s.kind.replace('conntrackd.', ''))
const noopOf = (s: Step) => ('noop' in s.args ? s.args.noop : undefined)
const flags = (steps: Step[]) => steps.map(flagOf)
const noops = (steps: Step[]): Record<string, string> => Object.fromEntries(steps.filter((s) => noopOf(s)).map((s) => ['flag' in s.args ? s.args.flag : s.kind, noopOf(s)!]))

describe('conntrackSteps per role (FTFW, external cache on)', () => {
  test('MASTER: -c before the WAN opens; -f, -R, -B after', () => {
    const s = conntrackSteps('MASTER', info())
    assert.deepEqual(flags(s.beforeWan), ['-c'])
    assert.deepEqual(flags(s.afterWan), ['-f', '-R', '-B'])
    assert.deepEqual(noops([...s.beforeWan, ...s.afterWan]), {})
  })

  test('BACKUP: start if needed, -t, -n, then the failback check', () => {
    const s = conntrackSteps('BACKUP', info())
    assert.deepEqual(s.beforeWan, [])
    assert.deepEqual(flags(s.afterWan), ['start', '-t', '-n', 'verify-sync'])
    // the check runs outside the node's lock: a take-over must not wait for its reads over the peer port
    assert.deepEqual(s.afterWan.map((x) => x.detached === true), [false, false, false, true])
  })

  test('BACKUP without start_on_backup and without verify_failback: just -t, -n', () => {
    assert.deepEqual(flags(conntrackSteps('BACKUP', info({startOnBackup: false, verifyFailback: false})).afterWan), ['-t', '-n'])
  })

  test('FAULT: -t; STOP: nothing', () => {
    assert.deepEqual(flags(conntrackSteps('FAULT', info()).afterWan), ['-t'])
    assert.deepEqual(conntrackSteps('FAULT', info()).beforeWan, [])
    assert.deepEqual(conntrackSteps('STOP', info()), {beforeWan: [], afterWan: []})
  })

  test('disabled: no step in any role', () => {
    for (const role of ['MASTER', 'BACKUP', 'FAULT', 'STOP'] as const) assert.deepEqual(conntrackSteps(role, info({enabled: false})), {beforeWan: [], afterWan: []})
  })

  test('no step is critical: losing conntrack state must not keep the node offline', () => {
    for (const role of ['MASTER', 'BACKUP', 'FAULT'] as const) {
      const s = conntrackSteps(role, info())
      for (const step of [...s.beforeWan, ...s.afterWan]) assert.equal(step.critical, false, step.kind)
    }
  })
})

describe('conntrackSteps per mode: no-ops are planned, marked, and say why', () => {
  test('FTFW with DisableExternalCache on: -c is a no-op, the rest runs', () => {
    const c = conf('FTFW', 'DisableExternalCache on')
    const m = conntrackSteps('MASTER', info({conf: c}))
    assert.match(noops(m.beforeWan)['-c'], /DisableExternalCache is on/)
    assert.deepEqual(noops(m.afterWan), {})
    assert.deepEqual(noops(conntrackSteps('BACKUP', info({conf: c})).afterWan), {})
  })

  test('NOTRACK, external cache on and off', () => {
    assert.deepEqual(noops([...conntrackSteps('MASTER', info({conf: conf('NOTRACK')})).beforeWan]), {})
    const off = conf('NOTRACK', 'DisableExternalCache on')
    assert.deepEqual(Object.keys(noops([...conntrackSteps('MASTER', info({conf: off})).beforeWan, ...conntrackSteps('MASTER', info({conf: off})).afterWan])), ['-c'])
  })

  test('ALARM: -B and -n are no-ops, and so is the failback check that waits on -n; -c still commits', () => {
    const c = conf('ALARM')
    const m = conntrackSteps('MASTER', info({conf: c}))
    assert.deepEqual(Object.keys(noops([...m.beforeWan, ...m.afterWan])), ['-B'])
    const b = conntrackSteps('BACKUP', info({conf: c}))
    const n = noops(b.afterWan)
    assert.match(n['-n'], /ALARM mode has no resync/)
    assert.match(n['conntrackd.verify-sync'], /ALARM/)
    assert.equal(n['-t'], undefined)
  })

  test('statistics mode (no Sync section): every step is a no-op', () => {
    const c = parseConntrackdConf('General {\n UNIX { Path /s }\n}\nStats {\n}\n').conf
    const m = conntrackSteps('MASTER', info({conf: c}))
    const b = conntrackSteps('BACKUP', info({conf: c, startOnBackup: false}))
    for (const step of [...m.beforeWan, ...m.afterWan, ...b.afterWan]) assert.match(noopOf(step) ?? '', /no Sync section/, step.kind)
  })

  test('unreadable conntrackd.conf: the full sequence, as primary-backup.sh would run it blind', () => {
    const m = conntrackSteps('MASTER', info({conf: undefined}))
    assert.deepEqual([...flags(m.beforeWan), ...flags(m.afterWan)], ['-c', '-f', '-R', '-B'])
    assert.deepEqual(noops([...m.beforeWan, ...m.afterWan]), {})
  })
})

describe('conntrack slots in the transition planner', () => {
  test('MASTER: the commit comes before the WAN link and rule, the rest after', () => {
    const s = conntrackSteps('MASTER', info())
    const steps = planTransition({
      role: 'MASTER', previousRole: 'BACKUP',
      wan: {interface: 'wan0', table: 250, rule_priority: 32770, rule_protocol: 73, ipv6: false, dhcpv6: false, link: 'down-on-backup', link_via: 'netlink', renew: 'none', silence: 'none', up_timeout_ms: 1000, network_file: ''},
      observed: {ruleCount: 0, link: {exists: true, adminUp: false, carrier: false}, hasAddress: false, hasDefaultRoute: false, silenced: false},
      slots: s,
    }).map((x) => x.kind)
    assert.ok(steps.indexOf('conntrackd.commit') < steps.indexOf('link.up'))
    assert.ok(steps.indexOf('conntrackd.commit') < steps.indexOf('rule.add'))
    assert.ok(steps.indexOf('rule.add') < steps.indexOf('conntrackd.flush'))
    assert.deepEqual(steps.slice(-3), ['conntrackd.flush', 'conntrackd.resync-kernel', 'conntrackd.bulk-send'])
  })
})
