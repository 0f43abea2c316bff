// The daemon's rules as tables: each row is a start state, a sequence of (time, event), and what must come out.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {initialDaemonState, RECONCILE_DEBOUNCE_MS, RECONCILE_MAX_PER_MINUTE, step} from '../../../src/core/daemon/machine.js'
import type {DaemonAction, DaemonEvent, DaemonRequest, DaemonState} from '../../../src/core/daemon/types.js'

const line = (state: string, name = 'VI_1'): DaemonEvent => ({type: 'fifo-line', line: `INSTANCE "${name}" ${state} 100`})
const done = (request: DaemonRequest, steps: string[] = []): DaemonEvent => ({type: 'transition-done', request, exit: 0, steps})

/** Runs events through the rules; transitions the rules start finish when the row says so (a `done` marker). */
function run(events: Array<[number, DaemonEvent | 'finish']>, settings = {instance: '', watchdog: true}, from?: Partial<DaemonState>) {
  let state: DaemonState = {...initialDaemonState(settings), ...from}
  const started: string[] = []
  const all: DaemonAction[] = []
  for (const [now, e] of events) {
    const event = e === 'finish' ? done(state.running!, state.running!.source === 'reconcile' ? ['rule.add'] : []) : e
    const r = step(state, event, now)
    state = r.state
    all.push(...r.actions)
    for (const a of r.actions) if (a.type === 'transition') started.push(`${a.request.role}/${a.request.source}${a.request.releaseVips ? '+vips' : ''}`)
  }
  return {state, started, actions: all, logs: all.filter((a) => a.type === 'log').map((a) => (a as {msg: string}).msg)}
}

describe('daemon rules: FIFO lines and the queue', () => {
  const rows: Array<{name: string; events: Array<[number, DaemonEvent | 'finish']>; started: string[]; instance?: string}> = [
    {name: 'a line starts a transition at once', events: [[0, line('MASTER')]], started: ['MASTER/fifo']},
    {name: 'in order, one at a time', events: [[0, line('BACKUP')], [1, 'finish'], [2, line('MASTER')]], started: ['BACKUP/fifo', 'MASTER/fifo']},
    {name: 'while one runs, only the latest pending request is applied next', events: [[0, line('MASTER')], [1, line('BACKUP')], [2, line('FAULT')], [3, line('MASTER')], [4, line('BACKUP')], [5, 'finish']], started: ['MASTER/fifo', 'BACKUP/fifo']},
    {name: 'malformed, LVS, non-role lines and other instances are ignored', instance: 'VI_1', events: [[0, {type: 'fifo-line', line: 'garbage'}], [0, {type: 'fifo-line', line: 'VS [1.2.3.4]:tcp:80 UP'}], [0, line('MASTER', 'VI_2')], [0, line('MASTER_RX_LOWER_PRI')], [0, line('FAULT')]], started: ['FAULT/fifo']},
    {name: 'DELETED counts as STOP', events: [[0, line('DELETED')]], started: ['STOP/fifo']},
  ]
  for (const r of rows) {
    it(r.name, () => assert.deepEqual(run(r.events, {instance: r.instance ?? '', watchdog: true}).started, r.started))
  }
  it('counts lines and transitions; warns once about a second instance when keepalived.instance is ""', () => {
    const r = run([[0, line('MASTER', 'A')], [1, 'finish'], [2, line('BACKUP', 'B')], [3, 'finish'], [4, line('MASTER', 'C')]])
    assert.equal(r.state.counters.lines, 3)
    assert.equal(r.state.counters.transitions, 2)
    assert.equal(r.state.lastRole, 'BACKUP')
    assert.equal(r.logs.filter((m) => m.startsWith('events for more than one')).length, 1)
  })
  it('a failed transition is logged, not counted, and the pending one still runs', () => {
    let s = initialDaemonState({instance: '', watchdog: true})
    s = step(s, line('MASTER'), 0).state
    s = step(s, line('BACKUP'), 1).state
    const r = step(s, {type: 'transition-done', request: s.running!, steps: [], error: 'boom'}, 2)
    assert.equal(r.state.counters.transitions, 0)
    assert.deepEqual(r.actions.filter((a) => a.type === 'transition').map((a) => (a as {request: DaemonRequest}).request.role), ['BACKUP'])
    assert.ok(r.actions.some((a) => a.type === 'log' && a.level === 'error'))
  })
})

describe('daemon rules: start-up over D-Bus', () => {
  it('converges to the D-Bus role when no FIFO event came first', () => {
    assert.deepEqual(run([[0, {type: 'dbus-role', role: 'MASTER'}]]).started, ['MASTER/dbus'])
  })
  it('a FIFO event is newer than the D-Bus read: the D-Bus role is dropped', () => {
    assert.deepEqual(run([[0, line('BACKUP')], [1, {type: 'dbus-role', role: 'MASTER'}]]).started, ['BACKUP/fifo'])
  })
  it('no usable role: nothing', () => {
    assert.deepEqual(run([[0, {type: 'dbus-role'}]]).started, [])
  })
})

describe('daemon rules: watchdog', () => {
  const rows: Array<{name: string; events: Array<[number, DaemonEvent | 'finish']>; started: string[]; stops: number; watchdog?: boolean}> = [
    {name: 'keepalived gone (FIFO closed, no process): STOP with the VIPs at once', events: [[0, line('MASTER')], [1, 'finish'], [2, {type: 'keepalived-gone', why: 'eof'}]], started: ['MASTER/fifo', 'STOP/watchdog+vips'], stops: 1},
    {name: 'a tick that finds it dead acts once per death', events: [[0, line('MASTER')], [1, 'finish'], [2, {type: 'watchdog-tick', alive: false}], [3, 'finish'], [4, {type: 'watchdog-tick', alive: false}], [5, {type: 'keepalived-gone', why: 'eof'}]], started: ['MASTER/fifo', 'STOP/watchdog+vips'], stops: 1},
    {name: 'alive again re-arms it', events: [[0, line('MASTER')], [1, 'finish'], [2, {type: 'keepalived-gone', why: 'eof'}], [3, 'finish'], [4, {type: 'watchdog-tick', alive: true}], [5, line('MASTER')], [6, 'finish'], [7, {type: 'watchdog-tick', alive: false}]], started: ['MASTER/fifo', 'STOP/watchdog+vips', 'MASTER/fifo', 'STOP/watchdog+vips'], stops: 2},
    {name: 'an unknown state (no pid file) is not evidence', events: [[0, line('MASTER')], [1, 'finish'], [2, {type: 'watchdog-tick', alive: undefined}]], started: ['MASTER/fifo'], stops: 0},
    {name: 'already STOP (a clean stop): nothing', events: [[0, line('STOP')], [1, 'finish'], [2, {type: 'keepalived-gone', why: 'eof'}]], started: ['STOP/fifo'], stops: 0},
    {name: 'a STOP still running: nothing', events: [[0, line('STOP')], [1, {type: 'keepalived-gone', why: 'eof'}]], started: ['STOP/fifo'], stops: 0},
    {name: 'keepalived.watchdog = false: nothing', watchdog: false, events: [[0, line('MASTER')], [1, 'finish'], [2, {type: 'keepalived-gone', why: 'eof'}]], started: ['MASTER/fifo'], stops: 0},
    {name: 'it waits for a running transition, then goes', events: [[0, line('MASTER')], [1, {type: 'keepalived-gone', why: 'eof'}], [2, 'finish']], started: ['MASTER/fifo', 'STOP/watchdog+vips'], stops: 1},
  ]
  for (const r of rows) {
    it(r.name, () => {
      const out = run(r.events, {instance: '', watchdog: r.watchdog ?? true})
      assert.deepEqual(out.started, r.started)
      assert.equal(out.state.counters.watchdogStops, r.stops)
    })
  }
})

describe('daemon rules: reconcile', () => {
  const master: Array<[number, DaemonEvent | 'finish']> = [[0, line('MASTER')], [1, 'finish']]
  it('a burst of kernel changes makes one reconcile, after the burst is quiet', () => {
    const r = run([...master, [100, {type: 'kernel-change'}], [150, {type: 'kernel-change'}], [100 + RECONCILE_DEBOUNCE_MS, {type: 'timer'}], [150 + RECONCILE_DEBOUNCE_MS, {type: 'timer'}]])
    assert.deepEqual(r.started, ['MASTER/fifo', 'MASTER/reconcile'])
    // The first timer (superseded in the runner, which keeps one) finds the time moved on and arms it again.
    assert.deepEqual(r.actions.filter((a) => a.type === 'timer').map((a) => (a as {at?: number}).at), [100 + RECONCILE_DEBOUNCE_MS, 150 + RECONCILE_DEBOUNCE_MS, 150 + RECONCILE_DEBOUNCE_MS])
  })
  it('a timer that fires a little early (setTimeout runs on the monotonic clock) is armed again, not lost', () => {
    const at = 100 + RECONCILE_DEBOUNCE_MS
    const early = run([...master, [100, {type: 'kernel-change'}], [at - 1, {type: 'timer'}]])
    assert.deepEqual(early.started, ['MASTER/fifo'])
    assert.deepEqual(early.actions.filter((a) => a.type === 'timer').map((a) => (a as {at?: number}).at), [at, at])
    assert.deepEqual(run([...master, [100, {type: 'kernel-change'}], [at - 1, {type: 'timer'}], [at, {type: 'timer'}]]).started, ['MASTER/fifo', 'MASTER/reconcile'])
  })
  it('nothing to reconcile before keepalived reported a role', () => {
    assert.deepEqual(run([[0, {type: 'kernel-change'}], [RECONCILE_DEBOUNCE_MS, {type: 'timer'}]]).started, [])
  })
  it('nothing while a transition runs; once it is done, one reconcile (it may have read the kernel before the change)', () => {
    assert.deepEqual(run([[0, line('MASTER')], [1, {type: 'kernel-change'}], [1 + RECONCILE_DEBOUNCE_MS, {type: 'timer'}]]).started, ['MASTER/fifo'])
    const r = run([[0, line('MASTER')], [1, {type: 'kernel-change'}], [1 + RECONCILE_DEBOUNCE_MS, {type: 'timer'}], [500, 'finish'], [500, {type: 'timer'}]])
    assert.deepEqual(r.started, ['MASTER/fifo', 'MASTER/reconcile'])
    assert.deepEqual(r.actions.filter((a) => a.type === 'timer').map((a) => (a as {at?: number}).at), [1 + RECONCILE_DEBOUNCE_MS, 500])
  })
  it(`pauses repairs for a minute after more than ${RECONCILE_MAX_PER_MINUTE} in a minute`, () => {
    const events: Array<[number, DaemonEvent | 'finish']> = [...master]
    for (let i = 0; i < 10; i++) {
      const t = 1000 + i * 1000
      events.push([t, {type: 'kernel-change'}], [t + RECONCILE_DEBOUNCE_MS, {type: 'timer'}], [t + RECONCILE_DEBOUNCE_MS + 1, 'finish'])
    }
    events.push([80_000, {type: 'kernel-change'}], [80_000 + RECONCILE_DEBOUNCE_MS, {type: 'timer'}], [80_001 + RECONCILE_DEBOUNCE_MS, 'finish'])
    // 'finish' with nothing running is skipped below
    let state = initialDaemonState({instance: '', watchdog: true})
    for (const [now, e] of events) {
      if (e === 'finish' && !state.running) continue
      state = step(state, e === 'finish' ? done(state.running!, state.running!.source === 'reconcile' ? ['rule.add'] : []) : e, now).state
    }
    assert.equal(state.counters.reconciled, RECONCILE_MAX_PER_MINUTE + 2, 'seven within the minute, then one after the pause')
  })
  it('terminate cancels a due reconcile', () => {
    const r = run([...master, [10, {type: 'kernel-change'}], [11, {type: 'terminate'}], [10 + RECONCILE_DEBOUNCE_MS, {type: 'timer'}]])
    assert.deepEqual(r.started, ['MASTER/fifo'])
    assert.equal(r.actions.filter((a) => a.type === 'timer').at(-1)!.type === 'timer' && (r.actions.filter((a) => a.type === 'timer').at(-1) as {at?: number}).at, undefined)
  })
})
