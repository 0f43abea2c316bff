import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {handleTransition, readObserved} from '../../../src/app/handle-transition.js'
import {createWanObserver} from '../../../src/app/wan-observer.js'
import {fakeNode} from './fakes.js'

describe('handleTransition', () => {
  it('MASTER then MASTER again: the second run changes nothing', async () => {
    const {node, deps} = fakeNode()
    const a = await handleTransition(deps, {role: 'MASTER', source: 'test', instance: 'VI_1'})
    assert.equal(a.exit, 0)
    assert.equal(node.rules, 1)
    const before = node.actions.length
    const b = await handleTransition(deps, {role: 'MASTER', source: 'test', instance: 'VI_1'})
    assert.equal(b.exit, 0)
    assert.deepEqual(b.steps, [])
    assert.equal(node.actions.length, before)
  })

  it('BACKUP in keep-up mode removes every rule copy and silences the WAN; MASTER undoes it, lift first', async () => {
    const {node, deps} = fakeNode()
    node.rules = 2
    await handleTransition(deps, {role: 'BACKUP', source: 'test', instance: ''})
    assert.equal(node.rules, 0)
    assert.equal(node.silenced, true)
    node.actions.length = 0
    await handleTransition(deps, {role: 'MASTER', source: 'test', instance: ''})
    assert.deepEqual(node.actions, ['silence.lift', 'rule.add'])
    assert.deepEqual([node.rules, node.silenced], [1, false])
  })

  it('wan.ipv6 (the default) on a kernel with IPv6: the IPv6 rule goes in with the IPv4 one, out with it, and a second run does nothing', async () => {
    for (const link of ['keep-up', 'down-on-backup'] as const) {
      const {node, deps} = fakeNode({kernelIpv6: true, config: {link}})
      assert.equal(deps.config.wan.ipv6, true, 'default')
      const m = await handleTransition(deps, {role: 'MASTER', source: 'test', instance: ''})
      assert.equal(m.exit, 0)
      assert.deepEqual(node.actions, ['rule.add', 'rule6.add'])
      assert.deepEqual([node.rules, node.rules6], [1, 1])
      assert.deepEqual((await handleTransition(deps, {role: 'MASTER', source: 'test', instance: ''})).steps, [])
      node.rules6 = 3
      node.actions.length = 0
      await handleTransition(deps, {role: 'BACKUP', source: 'test', instance: ''})
      assert.deepEqual(node.actions.slice(0, 4), ['rule.del', 'rule6.del', 'rule6.del', 'rule6.del'])
      assert.deepEqual([node.rules, node.rules6], [0, 0])
      node.actions.length = 0
      assert.deepEqual((await handleTransition(deps, {role: 'BACKUP', source: 'test', instance: ''})).steps, [])
      assert.deepEqual(node.actions, [])
    }
  })

  it('wan.ipv6 = false leaves IPv6 rules alone; a failing IPv6 rule makes MASTER partial (3), not failed', async () => {
    const off = fakeNode({kernelIpv6: true, config: {ipv6: false}})
    off.node.rules6 = 1
    await handleTransition(off.deps, {role: 'BACKUP', source: 'test', instance: ''})
    assert.equal(off.node.rules6, 1)
    const bad = fakeNode({kernelIpv6: true, failing: ['rule6.add']})
    const r = await handleTransition(bad.deps, {role: 'MASTER', source: 'test', instance: ''})
    assert.equal(r.exit, 3)
    assert.equal(bad.node.rules, 1)
  })

  it('down-on-backup: BACKUP takes the link down after the rule; MASTER brings it up before the rule', async () => {
    const {node, deps} = fakeNode({config: {link: 'down-on-backup'}})
    node.rules = 1
    await handleTransition(deps, {role: 'BACKUP', source: 'test', instance: ''})
    assert.deepEqual(node.actions, ['rule.del', 'link.down'])
    node.actions.length = 0
    const r = await handleTransition(deps, {role: 'MASTER', source: 'test', instance: ''})
    assert.deepEqual(node.actions, ['link.up', 'rule.add'])
    assert.deepEqual(r.steps.map((s) => s.kind), ['link.up', 'wait.wan', 'rule.add'])
  })

  it('a non-critical failure still runs the rest and exits 3 (partial)', async () => {
    const {node, deps, state} = fakeNode({failing: ['silence.apply']})
    node.rules = 1
    const r = await handleTransition(deps, {role: 'BACKUP', source: 'test', instance: ''})
    assert.equal(r.exit, 3)
    assert.equal(node.rules, 0)
    assert.deepEqual(r.steps.map((s) => s.status), ['ok', 'failed'])
    assert.match(r.steps[1].error!, /silence.apply failed/)
    assert.equal(state()?.exit, 3)
  })

  it('a critical failure stops the plan, marks the rest skipped and exits 1', async () => {
    const {node, deps} = fakeNode({failing: ['link.up'], config: {link: 'down-on-backup', up_timeout_ms: 100}})
    node.adminUp = false
    const r = await handleTransition(deps, {role: 'MASTER', source: 'test', instance: ''})
    assert.equal(r.exit, 1)
    assert.deepEqual(r.steps.map((s) => `${s.kind}:${s.status}`), ['link.up:failed', 'wait.wan:skipped', 'rule.add:skipped'])
    assert.equal(node.rules, 0)
  })

  it('a critical failure inside a group: its partners ran (they started with it), what follows the group is skipped', async () => {
    const {node, deps} = fakeNode({failing: ['rule.add'], kernelIpv6: true})
    deps.slots = async (role) => (role === 'MASTER' ? {afterWan: [{kind: 'dnsmasq.start', args: {}, why: 'dnsmasq', critical: false}]} : {})
    deps.executors = {...deps.executors, 'dnsmasq.start': async () => { node.actions.push('dnsmasq.start') }}
    const r = await handleTransition(deps, {role: 'MASTER', source: 'test', instance: ''})
    assert.equal(r.exit, 1)
    assert.deepEqual(r.steps.map((s) => `${s.kind}:${s.status}`), ['rule.add:failed', 'rule.add:ok', 'dnsmasq.start:skipped'])
    assert.deepEqual([node.rules, node.rules6], [0, 1])
  })

  it('MASTER: the silence opens only once conntrackd\'s commit has returned, and the rules only once it is open; the two rules at once', async () => {
    const {node, deps} = fakeNode({kernelIpv6: true})
    node.silenced = true
    let commitDone!: () => void
    const commitGate = new Promise<void>((resolve) => { commitDone = resolve })
    deps.slots = async (role) => (role === 'MASTER' ? {beforeWan: [{kind: 'conntrackd.commit', args: {flag: '-c', timeoutMs: 1000}, why: 'commit', critical: false}]} : {})
    deps.executors = {...deps.executors, 'conntrackd.commit': async () => {
      node.actions.push('commit started')
      await commitGate
      node.actions.push('commit done')
      return {detail: 'committed'}
    }}
    // Both rules are started before either finishes: the IPv6 one does not wait for the IPv4 one.
    let inFlight = 0
    let most = 0
    const add = deps.ip.ruleAdd
    deps.ip.ruleAdd = async (...a) => { inFlight++; most = Math.max(most, inFlight); await new Promise((resolve) => setImmediate(resolve)); inFlight--; return add(...a) }
    const run = handleTransition(deps, {role: 'MASTER', source: 'test', instance: ''})
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(node.actions, ['commit started'], 'nothing else while the commit is pending')
    commitDone()
    const r = await run
    assert.equal(r.exit, 0)
    assert.deepEqual(node.actions.slice(0, 3), ['commit started', 'commit done', 'silence.lift'])
    assert.deepEqual(node.actions.slice(3).sort(), ['rule.add', 'rule6.add'])
    assert.equal(most, 2)
    assert.deepEqual([node.rules, node.rules6, node.silenced], [1, 1, false])
  })

  it('a MASTER whose WAN never gets a default route is partial, with the rule still added', async () => {
    const {node, deps} = fakeNode({config: {up_timeout_ms: 100}})
    node.defaultRoute = false
    const r = await handleTransition(deps, {role: 'MASTER', source: 'test', instance: ''})
    assert.equal(r.exit, 3)
    assert.match(r.steps.find((s) => s.kind === 'wait.wan')!.error!, /^wan0: no default route in table 250 after 100 ms \(check the DHCP client/)
    assert.equal(node.rules, 1)
  })

  it('an invocation keepalived spawned earlier never overwrites a later one', async () => {
    const {node, deps, state} = fakeNode()
    await handleTransition(deps, {role: 'BACKUP', source: 'notify', instance: '', order: {startTicks: 500, pid: 20}})
    // The MASTER hook spawned before it (same tick, lower PID) runs late: it must not apply.
    const late = await handleTransition(deps, {role: 'MASTER', source: 'notify', instance: '', order: {startTicks: 500, pid: 19}})
    assert.equal(late.applied, false)
    assert.equal(late.exit, 0)
    assert.equal(node.rules, 0)
    assert.equal(state()?.role, 'BACKUP')
    // A later one applies.
    const next = await handleTransition(deps, {role: 'MASTER', source: 'notify', instance: '', order: {startTicks: 501, pid: 3}})
    assert.equal(next.applied, true)
    assert.equal(node.rules, 1)
  })

  it('a converged run still records its order, so an older late event cannot undo it', async () => {
    const {node, deps} = fakeNode()
    await handleTransition(deps, {role: 'MASTER', source: 'notify', instance: '', order: {startTicks: 1, pid: 10}})
    await handleTransition(deps, {role: 'MASTER', source: 'notify', instance: '', order: {startTicks: 3, pid: 30}})
    const late = await handleTransition(deps, {role: 'BACKUP', source: 'notify', instance: '', order: {startTicks: 2, pid: 20}})
    assert.equal(late.applied, false)
    assert.equal(node.rules, 1)
  })

  it('keeps a bounded history of transitions in the state file', async () => {
    const {deps, state} = fakeNode()
    for (let i = 0; i < 30; i++) await handleTransition(deps, {role: i % 2 ? 'MASTER' : 'BACKUP', source: 'test', instance: ''})
    assert.equal(state()!.history.length, 20)
    assert.equal(state()!.role, 'MASTER')
    assert.equal(state()!.history[0].role, 'BACKUP')
  })

  it('the daemon\'s cached WAN view survives a plan that did not touch the WAN (a returning BACKUP\'s conntrackd steps), not one that did', async () => {
    const {node, deps} = fakeNode()
    let reads = 0
    const read = () => { reads++; return readObserved(deps) }
    deps.observer = createWanObserver(read)
    deps.slots = async (role, prev) => (role === 'BACKUP' && prev !== 'BACKUP' ? {afterWan: [{kind: 'conntrackd.purge', args: {flag: '-t'}, why: 'purge', critical: false}]} : {})
    deps.executors = {...deps.executors, 'conntrackd.purge': async () => ({detail: 'purged'})}
    // STOP: the WAN is converged for a non-MASTER (rule out, silence in)
    await handleTransition(deps, {role: 'STOP', source: 'test', instance: ''})
    assert.equal(node.silenced, true)
    assert.equal(reads, 1)
    // The WAN changed: its events would re-read; here the next get() reads.
    await handleTransition(deps, {role: 'STOP', source: 'test', instance: ''})
    assert.equal(reads, 2, 'a plan that changed the WAN left the cached view in place')
    node.actions.length = 0
    // The returning BACKUP: conntrackd only, nothing on the WAN.
    const b = await handleTransition(deps, {role: 'BACKUP', source: 'test', instance: ''})
    assert.deepEqual(b.plan.map((s) => s.kind), ['conntrackd.purge'])
    assert.equal(reads, 2)
    // The take-over plans from the cached view: no kernel read on its hot path.
    const m = await handleTransition(deps, {role: 'MASTER', source: 'test', instance: ''})
    assert.equal(reads, 2, 'the take-over read the kernel although nothing on the WAN had changed')
    assert.deepEqual(node.actions, ['silence.lift', 'rule.add'])
    assert.equal(m.exit, 0)
  })
})

