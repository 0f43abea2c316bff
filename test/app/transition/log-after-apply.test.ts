// Apply first, log after (issue 15): the first enabled log line loads pino (~20 ms) and may hit a
// slow or broken log.file, so no log line comes before a transition's steps, failures included.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import type {Logger} from '../../../src/adapters/log.js'
import {handleTransition} from '../../../src/app/handle-transition.js'
import {fakeNode} from './fakes.js'

/** A logger at info that records each line into the node's action list. */
function recordingLogger(actions: string[]): Logger {
  const line = (lvl: string) => (fields: unknown, msg?: string) => { actions.push(`log ${lvl}: ${typeof fields === 'string' ? fields : msg}`) }
  const log: Logger = {level: 'info', isEnabled: () => true, trace: () => {}, debug: () => {}, info: line('info'), warn: line('warn'), error: line('error'), child: () => log}
  return log
}

describe('handleTransition logs after it applies', () => {
  it('BACKUP: the rule goes and the WAN is silenced before any log line, a failed step logged after all steps', async () => {
    const {node, deps} = fakeNode({failing: ['silence.apply']})
    deps.log = recordingLogger(node.actions)
    node.rules = 1
    const r = await handleTransition(deps, {role: 'BACKUP', source: 'test', instance: 'VI_1'})
    assert.equal(r.exit, 3)
    const firstLog = node.actions.findIndex((a) => a.startsWith('log '))
    assert.deepEqual(node.actions.slice(0, firstLog), ['rule.del', 'silence.apply'])
    assert.ok(node.actions.slice(firstLog).every((a) => a.startsWith('log ')), node.actions.join('\n'))
    assert.ok(node.actions.some((a) => /^log error: step failed/.test(a)))
  })

  it('MASTER: what a step logs (conntrackd\'s commit verdict) waits until the lift and the rules are in', async () => {
    const {node, deps} = fakeNode({kernelIpv6: true})
    deps.log = recordingLogger(node.actions)
    node.silenced = true
    deps.slots = async (role) => (role === 'MASTER' ? {beforeWan: [{kind: 'conntrackd.commit', args: {flag: '-c', timeoutMs: 1000}, why: 'commit', critical: false}]} : {})
    deps.executors = {...deps.executors, 'conntrackd.commit': async (_step, {log}) => {
      node.actions.push('commit')
      log.info({committed: 3}, 'conntrackd -c: committed 3 entries')
      log.child({sub: 1}).warn('a child logger waits too')
      return {detail: 'committed'}
    }}
    const r = await handleTransition(deps, {role: 'MASTER', source: 'test', instance: 'VI_1'})
    assert.equal(r.exit, 0)
    const firstLog = node.actions.findIndex((a) => a.startsWith('log '))
    assert.deepEqual(node.actions.slice(0, firstLog), ['commit', 'silence.lift', 'rule.add', 'rule6.add'])
    assert.deepEqual(node.actions.slice(firstLog, firstLog + 2), ['log info: conntrackd -c: committed 3 entries', 'log warn: a child logger waits too'])
  })
})

