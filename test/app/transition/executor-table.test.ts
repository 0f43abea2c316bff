// The executor table is exhaustive by step kind: a kind without an executor does not compile.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {silentLogger} from '../../../src/adapters/log.js'
import {runStep, type StepExecutors} from '../../../src/app/steps/types.js'
import {fakeNode} from './fakes.js'

describe('step executor table', () => {
  it('has one executor per step kind, and a table missing one is a type error', () => {
    const {deps} = fakeNode()
    const {'rule.add': _dropped, ...rest} = deps.executors
    // @ts-expect-error rule.add has no executor: the table must name every StepKind
    const incomplete: StepExecutors = rest
    assert.equal(typeof incomplete['rule.add'], 'undefined')
  })
  it('runStep hands each executor its own typed step', async () => {
    const {deps, node} = fakeNode()
    await runStep(deps.executors, {kind: 'rule.add', args: {table: 250, priority: 32770, protocol: 73, family: 4}, why: '', critical: true}, {log: silentLogger})
    await runStep(deps.executors, {kind: 'rule.del', args: {table: 250, priority: 32770, protocol: 73, family: 4, count: 1}, why: '', critical: false}, {log: silentLogger})
    assert.deepEqual(node.actions, ['rule.add', 'rule.del'])
  })
})
