import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {decideEvent} from '../../../src/core/keepalived/event.js'
import {parseFifoLine} from '../../../src/core/keepalived/fifo-line.js'
import {parseNotifyArgs} from '../../../src/core/keepalived/notify-args.js'

describe('parseNotifyArgs', () => {
  it('reads the four arguments keepalived notify appends', () => {
    assert.deepEqual(parseNotifyArgs(['INSTANCE', 'VI_1', 'MASTER', '100']), {type: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 100})
    assert.deepEqual(parseNotifyArgs(['GROUP', 'G1', 'BACKUP', '0']), {type: 'GROUP', name: 'G1', state: 'BACKUP', priority: 0})
  })
  it('reads the three arguments of old keepalived versions', () => {
    assert.deepEqual(parseNotifyArgs(['INSTANCE', 'VI_1', 'FAULT']), {type: 'INSTANCE', name: 'VI_1', state: 'FAULT', priority: undefined})
  })
  it('reads the single word of notify_master and friends, any case', () => {
    for (const w of ['master', 'backup', 'fault', 'stop', 'MASTER', 'Stop']) {
      const e = parseNotifyArgs([w])
      assert.ok(!('error' in e))
      assert.equal(e.state, w.toUpperCase())
    }
  })
  it('keeps instance names with spaces and odd characters', () => {
    assert.deepEqual(parseNotifyArgs(['INSTANCE', 'my gw', 'STOP', '1']), {type: 'INSTANCE', name: 'my gw', state: 'STOP', priority: 1})
  })
  const bad: Array<[string[], RegExp]> = [
    [[], /no state given/],
    [['master', 'extra'], /expected 1, 3 or 4 arguments, got 2/],
    [['promote'], /unknown state "promote"/],
    [['deleted'], /unknown state "deleted"/],
    [['instance', 'VI_1', 'MASTER', '100'], /not INSTANCE or GROUP/],
    [['INSTANCE', 'VI_1', 'master', '100'], /unknown state "master"/],
    [['INSTANCE', 'VI_1', 'MASTER', 'high'], /priority "high"/],
    [['INSTANCE', 'VI_1', 'MASTER', '256'], /priority "256"/],
    [['INSTANCE', 'VI_1', 'MASTER', '-1'], /priority "-1"/],
    [['INSTANCE', '', 'MASTER', '1'], /empty instance name/],
    [['INSTANCE', 'VI_1', 'MASTER', '100', 'x'], /got 5/],
  ]
  for (const [args, re] of bad) {
    it(`rejects ${JSON.stringify(args)}`, () => {
      const r = parseNotifyArgs(args)
      assert.ok('error' in r, 'expected an error')
      assert.match(r.error, re)
    })
  }
})

describe('parseFifoLine', () => {
  it('reads INSTANCE and GROUP lines', () => {
    assert.deepEqual(parseFifoLine('INSTANCE "VI_1" MASTER 100'), {event: {type: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 100}})
    assert.deepEqual(parseFifoLine('GROUP "G 1" BACKUP 0'), {event: {type: 'GROUP', name: 'G 1', state: 'BACKUP', priority: 0}})
    assert.deepEqual(parseFifoLine('INSTANCE "VI_1" MASTER_RX_LOWER_PRI 100\r'), {event: {type: 'INSTANCE', name: 'VI_1', state: 'MASTER_RX_LOWER_PRI', priority: 100}})
  })
  it('passes over LVS lines and blank lines', () => {
    assert.ok('ignore' in parseFifoLine('VS [192.168.201.15]:tcp:80 UP'))
    assert.ok('ignore' in parseFifoLine('RS [1.2.3.4]:tcp:80 [192.168.201.15]:tcp:80 DOWN'))
    assert.ok('ignore' in parseFifoLine(''))
  })
  for (const line of ['INSTANCE VI_1 MASTER 100', 'INSTANCE "VI_1" MASTER', 'INSTANCE "VI_1" master 100', 'SOMETHING "x" MASTER 1', 'INSTANCE "VI_1" MASTER 1 2', 'garbage']) {
    it(`calls ${JSON.stringify(line)} malformed`, () => {
      const r = parseFifoLine(line)
      assert.ok('error' in r)
      assert.match(r.error, /malformed notify FIFO line/)
    })
  }
})

describe('decideEvent', () => {
  const ev = (state: string, name = 'VI_1') => ({type: 'INSTANCE' as const, name, state, priority: 100})
  it('maps states to roles; DELETED counts as STOP', () => {
    for (const s of ['MASTER', 'BACKUP', 'FAULT', 'STOP']) assert.deepEqual(decideEvent(ev(s), ''), {action: 'apply', role: s})
    assert.deepEqual(decideEvent(ev('DELETED'), ''), {action: 'apply', role: 'STOP'})
  })
  it('ignores events that are not role changes', () => {
    for (const s of ['MASTER_RX_LOWER_PRI', 'MASTER_PRIORITY', 'BACKUP_PRIORITY']) assert.equal(decideEvent(ev(s), '').action, 'ignore')
  })
  it('follows only the configured instance or group', () => {
    assert.equal(decideEvent(ev('MASTER', 'VI_2'), 'VI_1').action, 'ignore')
    assert.equal(decideEvent(ev('MASTER', 'VI_1'), 'VI_1').action, 'apply')
    assert.equal(decideEvent({type: 'GROUP', name: 'G1', state: 'FAULT', priority: 0}, 'G1').action, 'apply')
  })
  it('applies a bare notify_master word whatever instance is configured', () => {
    assert.deepEqual(decideEvent({type: undefined, name: undefined, state: 'MASTER', priority: undefined}, 'VI_1'), {action: 'apply', role: 'MASTER'})
  })
})
