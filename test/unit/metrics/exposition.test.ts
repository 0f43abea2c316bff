import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {oneHot, renderExposition} from '../../../src/core/metrics/exposition.js'
import {parseListen} from '../../../src/core/metrics/listen.js'
import {countTransition, NO_COUNTS} from '../../../src/core/metrics/counters.js'
import {parsePrometheusText, sampleValue} from '../../support/prometheus-text.js'

describe('Prometheus exposition', () => {
  it('renders HELP, TYPE and samples sorted by labels, and a parser reads back every value', () => {
    const text = renderExposition([
      {name: 'a_total', type: 'counter', help: 'first\nline \\ two', samples: [{labels: {z: '1', b: 'x'}, value: 3}, {labels: {b: 'a"b\\c\nd'}, value: 1}]},
      {name: 'empty', type: 'gauge', help: 'no samples, not shown', samples: []},
      {name: 'g', type: 'gauge', help: 'plain', samples: [{value: 0.25}, ...[]]},
      {name: 'odd', type: 'gauge', help: 'odd values', samples: [{labels: {v: 'nan'}, value: NaN}, {labels: {v: 'inf'}, value: Infinity}, {labels: {v: 'ninf'}, value: -Infinity}]},
    ])
    assert.equal(text.split('\n')[0], '# HELP a_total first\\nline \\\\ two')
    assert.ok(!text.includes('empty'))
    const f = parsePrometheusText(text)
    assert.equal(f.get('a_total')!.help, 'first\nline \\ two')
    assert.equal(sampleValue(f, 'a_total', {b: 'a"b\\c\nd'}), 1)
    assert.equal(sampleValue(f, 'a_total', {b: 'x', z: '1'}), 3)
    assert.equal(sampleValue(f, 'g'), 0.25)
    assert.ok(Number.isNaN(sampleValue(f, 'odd', {v: 'nan'})))
    assert.equal(sampleValue(f, 'odd', {v: 'inf'}), Infinity)
    assert.equal(sampleValue(f, 'odd', {v: 'ninf'}), -Infinity)
    // The same families in another sample order give the same bytes.
    const again = renderExposition([
      {name: 'a_total', type: 'counter', help: 'first\nline \\ two', samples: [{labels: {b: 'a"b\\c\nd'}, value: 1}, {labels: {b: 'x', z: '1'}, value: 3}]},
      {name: 'g', type: 'gauge', help: 'plain', samples: [{value: 0.25}]},
      {name: 'odd', type: 'gauge', help: 'odd values', samples: [{labels: {v: 'ninf'}, value: -Infinity}, {labels: {v: 'inf'}, value: Infinity}, {labels: {v: 'nan'}, value: NaN}]},
    ])
    assert.equal(again, text)
  })

  it('refuses bad names, bad label names, a family twice and two samples with the same labels', () => {
    assert.throws(() => renderExposition([{name: '1bad', type: 'gauge', help: '', samples: [{value: 1}]}]), /not valid/)
    assert.throws(() => renderExposition([{name: 'ok', type: 'gauge', help: '', samples: [{labels: {'a-b': 'x'}, value: 1}]}]), /label name/)
    assert.throws(() => renderExposition([{name: 'ok', type: 'gauge', help: '', samples: [{labels: {__x: 'x'}, value: 1}]}]), /label name/)
    assert.throws(() => renderExposition([{name: 'ok', type: 'gauge', help: '', samples: []}, {name: 'ok', type: 'gauge', help: '', samples: []}]), /twice/)
    assert.throws(() => renderExposition([{name: 'ok', type: 'gauge', help: '', samples: [{labels: {a: '1'}, value: 1}, {labels: {a: '1'}, value: 2}]}]), /same labels/)
    assert.equal(renderExposition([]), '')
  })

  it('oneHot: 1 for the current state only, none when it is not one of them', () => {
    assert.deepEqual(oneHot('role', ['MASTER', 'BACKUP'], 'BACKUP', {instance: 'VI_1'}), [{labels: {instance: 'VI_1', role: 'MASTER'}, value: 0}, {labels: {instance: 'VI_1', role: 'BACKUP'}, value: 1}])
    assert.deepEqual(oneHot('role', ['MASTER'], 'UNKNOWN').map((s) => s.value), [0])
  })

  it('the test parser itself refuses what the textfile collector refuses', () => {
    assert.throws(() => parsePrometheusText('x 1\n'), /before its TYPE/)
    assert.throws(() => parsePrometheusText('# TYPE x gauge\nx 1\nx 2\n'), /duplicate/)
    assert.throws(() => parsePrometheusText('# TYPE x gauge\nx 1'), /newline/)
    assert.throws(() => parsePrometheusText('# TYPE x counter\nx -1\n'), /negative/)
    assert.throws(() => parsePrometheusText('# TYPE x gauge\nx{a="1} 1\n'), /unterminated|not a sample/)
  })
})

describe('metrics.listen', () => {
  it('takes loopback HOST:PORT only', () => {
    assert.deepEqual(parseListen('127.0.0.1:9469'), {host: '127.0.0.1', port: 9469})
    assert.deepEqual(parseListen('127.1.2.3:1'), {host: '127.1.2.3', port: 1})
    assert.deepEqual(parseListen('[::1]:9469'), {host: '::1', port: 9469})
    assert.deepEqual(parseListen('localhost:80'), {host: '127.0.0.1', port: 80})
    for (const bad of ['0.0.0.0:9469', '192.0.2.1:9469', '[::]:9469', 'example.com:1', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', '127.0.0.256:1', ':9469', '::1:9469']) {
      assert.ok('error' in parseListen(bad), bad)
    }
  })
})

describe('daemon counters', () => {
  it('count transitions by role and source, failed steps by kind, watchdog stops; a reconcile that changed nothing is no transition', () => {
    let c = countTransition(NO_COUNTS, {role: 'MASTER', source: 'fifo', steps: [{kind: 'rule', status: 'ok'}, {kind: 'conntrackd-commit', status: 'failed'}]})
    c = countTransition(c, {role: 'MASTER', source: 'reconcile', steps: []})
    c = countTransition(c, {role: 'MASTER', source: 'reconcile', steps: [{kind: 'rule', status: 'ok'}]})
    c = countTransition(c, {role: 'STOP', source: 'watchdog', steps: [{kind: 'rule', status: 'failed'}, {kind: 'silence', status: 'failed'}]})
    c = countTransition(c, {role: 'MASTER', source: 'fifo', steps: []})
    assert.deepEqual(c, {
      transitions: {'MASTER fifo': 2, 'MASTER reconcile': 1, 'STOP watchdog': 1},
      stepsFailed: {'conntrackd-commit': 1, rule: 1, silence: 1},
      watchdog: {stop: 1},
    })
    assert.deepEqual(NO_COUNTS, {transitions: {}, stepsFailed: {}, watchdog: {}})
  })
})
