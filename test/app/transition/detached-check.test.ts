// A returning BACKUP's verify-sync (two reads over the peer port, polling up to verify_timeout_ms) held the
// node's lock, so a MASTER event that came meanwhile waited behind it: the take-over ~1 s late in the
// failover bench. Detached steps run once the lock is free; the take-over does not wait for them.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {handleTransition} from '../../../src/app/handle-transition.js'
import {fakeNode} from './fakes.js'

/** One lock for the node, as the real one: a second holder waits until the first releases. */
function nodeLock(events: string[]) {
  let held: Promise<void> = Promise.resolve()
  return async () => {
    const before = held
    let release!: () => void
    held = new Promise((r) => { release = r })
    await before
    events.push('lock')
    return {release: async () => { events.push('unlock'); release() }}
  }
}

describe('detached steps run after the transition, outside the lock', () => {
  it('a MASTER event during a returning BACKUP\'s verify-sync takes over at once; the check still reports', {timeout: 5000}, async () => {
    const {node, deps} = fakeNode()
    const events = node.actions
    deps.lock = nodeLock(events)
    let finishVerify!: () => void
    const verifyDone = new Promise<void>((r) => { finishVerify = r })
    deps.slots = async (role) => (role === 'BACKUP'
      ? {afterWan: [{kind: 'conntrackd.verify-sync', args: {waitMs: 2000, tolerancePercent: 1}, why: 'check', critical: false, detached: true}]}
      : {})
    deps.executors = {...deps.executors, 'conntrackd.verify-sync': async () => {
      events.push('verify start')
      await verifyDone
      events.push('verify end')
      return {detail: 'in sync'}
    }}
    const backup = await handleTransition(deps, {role: 'BACKUP', source: 'test', instance: 'VI_1'})
    assert.ok(backup.followUp, 'the check is handed back, not awaited')
    assert.deepEqual(backup.steps.map((s) => s.kind).includes('conntrackd.verify-sync'), false, 'not among the locked steps (nor the state file)')
    assert.ok(backup.plan.some((s) => s.kind === 'conntrackd.verify-sync'), 'but in the plan')
    // The take-over while the check is still running: it gets the lock and applies its rule.
    const master = await handleTransition(deps, {role: 'MASTER', source: 'test', instance: 'VI_1'})
    assert.equal(master.exit, 0)
    assert.equal(node.rules, 1)
    assert.ok(events.indexOf('rule.add') < events.length && !events.includes('verify end'), events.join(', '))
    finishVerify()
    const after = await backup.followUp!
    assert.deepEqual(after.map((s) => [s.kind, s.status, s.detail]), [['conntrackd.verify-sync', 'ok', 'in sync']])
    assert.ok(events.indexOf('verify start') > events.indexOf('unlock'), `the check starts after the BACKUP's unlock: ${events.join(', ')}`)
  })

  it('without detached steps nothing is handed back', async () => {
    const {deps} = fakeNode()
    const r = await handleTransition(deps, {role: 'BACKUP', source: 'test', instance: 'VI_1'})
    assert.equal(r.followUp, undefined)
  })
})
