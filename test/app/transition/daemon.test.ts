// The daemon runner over fakes and a hand-advanced clock: FIFO in, transitions out, no real sleeping.
// The rules themselves are table-tested in test/unit/daemon/machine.test.ts.
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {silentLogger} from '../../../src/adapters/log.js'
import {daemonMode, type DaemonDeps, startDaemon} from '../../../src/app/daemon.js'
import {pickInstanceRole as pickRole} from '../../../src/core/keepalived/pick-role.js'
import type {TransitionRequest, TransitionResult} from '../../../src/app/handle-transition.js'
import {defaultConfig} from '../../../src/config/validate.js'
import {fakeClock} from '../fake-clock.js'

/** A daemon over a fake FIFO: lines are pushed by the test; EOF when the test closes it. */
function harness(opts: {instance?: string; slowMs?: number; dbusRole?: 'MASTER' | 'BACKUP'; parentAlive?: boolean; keepalivedAlive?: boolean | undefined; repairs?: number} = {}) {
  const config = defaultConfig('wan0')
  config.keepalived.instance = opts.instance ?? ''
  config.keepalived.dbus = opts.dbusRole !== undefined
  const clock = fakeClock()
  const applied: TransitionRequest[] = []
  let push: (line: string) => void = () => {}
  let eof: () => void = () => {}
  const opened: string[] = []
  let inode = 1
  let kernelChanged: () => void = () => {}
  const alive = {parent: opts.parentAlive ?? true, keepalived: opts.keepalivedAlive}
  const afterTransition: string[] = []
  const deps: DaemonDeps = {
    config,
    log: silentLogger,
    transition: async (req) => {
      applied.push(req)
      if (opts.slowMs) await new Promise((r) => clock.after(opts.slowMs!, () => r(undefined)))
      // A reconcile finds something to repair while `repairs` lasts, then nothing.
      const repaired = req.source === 'reconcile' && (opts.repairs ?? 0) > 0
      if (repaired) opts.repairs!--
      return {exit: 0, steps: repaired ? [{kind: 'rule.add'}] : []} as TransitionResult
    },
    watchWan: (onChange) => { kernelChanged = onChange; return {stop: () => { kernelChanged = () => {} }} },
    openFifo: (_path, mode, onLine) => {
      opened.push(mode)
      push = onLine
      const done = new Promise<{reason: 'eof'}>((resolve) => { eof = () => resolve({reason: 'eof'}) })
      return {done, close: () => {}}
    },
    fifoInode: () => inode,
    keepalivedAlive: () => alive.keepalived,
    parentAlive: () => alive.parent,
    keepalivedInstances: async () => opts.dbusRole ? [{name: 'VI_1', path: '/x', state: opts.dbusRole === 'MASTER' ? 2 : 1, stateName: opts.dbusRole, role: opts.dbusRole}] : [],
    startServices: async () => [{name: 'probe', stop: async () => {}, afterTransition: (role) => { afterTransition.push(role) }}],
    clock,
  }
  return {deps, clock, applied, afterTransition, opened, push: (l: string) => push(l), eof: () => eof(), alive, recreate: () => { inode++ }, kernel: () => kernelChanged()}
}

const roles = (applied: TransitionRequest[]) => applied.map((r) => `${r.role}/${r.source}${r.releaseVips ? '+vips' : ''}`)

describe('daemon (keepalived notify_fifo_script)', () => {
  it('applies FIFO events in order, tells the services, and exits at EOF', async () => {
    const h = harness()
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'child'})
    await h.clock.flush()
    h.push('INSTANCE "VI_1" BACKUP 100')
    await h.clock.flush()
    h.push('INSTANCE "VI_1" MASTER 100')
    await h.clock.flush()
    h.eof()
    const s = await d.done
    assert.deepEqual(roles(h.applied), ['BACKUP/fifo', 'MASTER/fifo'])
    assert.deepEqual(h.afterTransition, ['BACKUP', 'MASTER'])
    assert.equal(s.lines, 2)
    assert.equal(s.lastRole, 'MASTER')
  })

  it('coalesces: while a transition runs, only the latest pending state is applied next', async () => {
    const h = harness({slowMs: 50})
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'child'})
    await h.clock.flush()
    h.push('INSTANCE "VI_1" MASTER 100')
    await h.clock.advance(10)
    for (const s of ['BACKUP', 'FAULT', 'MASTER', 'BACKUP']) h.push(`INSTANCE "VI_1" ${s} 100`)
    await h.clock.advance(200)
    h.eof()
    await d.done
    assert.deepEqual(h.applied.map((r) => r.role), ['MASTER', 'BACKUP'])
  })

  it('after SIGTERM it keeps reading until keepalived closes the FIFO, so STOP is applied', async () => {
    const h = harness()
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'child', termGraceMs: 5000})
    await h.clock.flush()
    h.push('INSTANCE "VI_1" MASTER 100')
    d.terminate()
    await h.clock.advance(100)
    h.push('INSTANCE "VI_1" STOP 100')
    await h.clock.flush()
    h.eof()
    await d.done
    assert.deepEqual(h.applied.map((r) => r.role), ['MASTER', 'STOP'])
  })

  it('after SIGTERM without EOF it gives up after the grace period', async () => {
    const h = harness()
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'child', termGraceMs: 3000})
    await h.clock.flush()
    d.terminate()
    await h.clock.advance(2999)
    let finished = false
    void d.done.then(() => { finished = true })
    await h.clock.flush()
    assert.equal(finished, false)
    await h.clock.advance(1)
    await d.done
  })

  it('when keepalived (its parent) died without a STOP, converges to STOP', async () => {
    const h = harness()
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'child'})
    await h.clock.flush()
    h.push('INSTANCE "VI_1" MASTER 100')
    await h.clock.flush()
    h.alive.parent = false
    h.eof()
    const s = await d.done
    assert.deepEqual(roles(h.applied), ['MASTER/fifo', 'STOP/watchdog+vips'])
    assert.equal(s.watchdogStops, 1)
  })

  it('converges at start-up to the role keepalived reports over D-Bus', async () => {
    const h = harness({dbusRole: 'MASTER'})
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'child'})
    await h.clock.flush()
    h.eof()
    await d.done
    assert.deepEqual(roles(h.applied), ['MASTER/dbus'])
  })
})

describe('daemon reconcile', () => {
  it('a burst of kernel changes converges the node once again to the last role, after 200 ms', async () => {
    const h = harness({repairs: 1})
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'child'})
    await h.clock.flush()
    h.push('INSTANCE "VI_1" MASTER 100')
    await h.clock.flush()
    h.kernel()
    h.kernel()
    await h.clock.advance(199)
    assert.deepEqual(roles(h.applied), ['MASTER/fifo'])
    await h.clock.advance(1)
    h.eof()
    const s = await d.done
    assert.deepEqual(roles(h.applied), ['MASTER/fifo', 'MASTER/reconcile'])
    assert.equal(s.reconciled, 1)
  })

  it('stops repairing for a while when something keeps undoing the WAN state', async () => {
    const h = harness({repairs: 100})
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'child'})
    await h.clock.flush()
    h.push('INSTANCE "VI_1" MASTER 100')
    await h.clock.flush()
    for (let i = 0; i < 10; i++) {
      h.kernel()
      await h.clock.advance(260)
    }
    h.eof()
    const s = await d.done
    assert.equal(s.reconciled, 7, 'six repairs a minute are allowed; the seventh pauses repairs')
  })
})

describe('daemon as its own service', () => {
  it('keepalived dying (pid file) converges to STOP once; it keeps reading afterwards', async () => {
    const h = harness({keepalivedAlive: true})
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'service', pollMs: 500})
    await h.clock.flush()
    h.push('INSTANCE "VI_1" MASTER 100')
    await h.clock.advance(500)
    h.alive.keepalived = false
    await h.clock.advance(1000)
    h.alive.keepalived = true
    h.recreate()
    await h.clock.advance(1000)
    h.push('INSTANCE "VI_1" BACKUP 100')
    await h.clock.flush()
    d.terminate()
    const s = await d.done
    assert.deepEqual(roles(h.applied), ['MASTER/fifo', 'STOP/watchdog+vips', 'BACKUP/fifo'])
    assert.equal(s.watchdogStops, 1)
  })
})

describe('daemon as its own service: the watchdog on the FIFO closing', () => {
  it('EOF with no keepalived in the process table: STOP and release the VIPs at once, not at the next poll', async () => {
    const h = harness({keepalivedAlive: true})
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'service', pollMs: 500})
    await h.clock.flush()
    assert.deepEqual(h.opened, ['reader'], 'read-only, so keepalived\'s close shows as EOF')
    h.push('INSTANCE "VI_1" MASTER 100')
    await h.clock.advance(600)
    h.alive.keepalived = false
    const t0 = h.clock.now()
    h.eof()
    await h.clock.flush()
    assert.deepEqual(roles(h.applied), ['MASTER/fifo', 'STOP/watchdog+vips'])
    assert.equal(h.clock.now() - t0, 0, 'no time passed: it acted on the evidence')
    d.terminate()
    assert.equal((await d.done).watchdogStops, 1)
  })

  it('EOF while keepalived\'s processes are still being reaped: acts as soon as the table is empty', async () => {
    const h = harness({keepalivedAlive: true})
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'service', pollMs: 500})
    await h.clock.flush()
    h.push('INSTANCE "VI_1" MASTER 100')
    await h.clock.flush()
    h.eof()
    await h.clock.advance(50)
    assert.deepEqual(roles(h.applied), ['MASTER/fifo'])
    h.alive.keepalived = false
    await h.clock.advance(25)
    assert.deepEqual(roles(h.applied), ['MASTER/fifo', 'STOP/watchdog+vips'])
    d.terminate()
    await d.done
  })

  it('EOF from a reload (a new FIFO, keepalived alive): reopens, no STOP', async () => {
    const h = harness({keepalivedAlive: true})
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'service', pollMs: 500})
    await h.clock.flush()
    h.push('INSTANCE "VI_1" MASTER 100')
    await h.clock.flush()
    h.recreate()
    h.eof()
    await h.clock.flush()
    assert.equal(h.opened.length, 2, 'reopened the new FIFO at once')
    h.push('INSTANCE "VI_1" BACKUP 100')
    await h.clock.advance(2000)
    d.terminate()
    const s = await d.done
    assert.deepEqual(roles(h.applied), ['MASTER/fifo', 'BACKUP/fifo'])
    assert.equal(s.watchdogStops, 0)
  })

  it('after keepalived died it waits for it to come back before reopening, then follows it again', async () => {
    const h = harness({keepalivedAlive: true})
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'service', pollMs: 500})
    await h.clock.flush()
    h.push('INSTANCE "VI_1" MASTER 100')
    await h.clock.flush()
    h.alive.keepalived = false
    h.eof()
    await h.clock.advance(5000)
    assert.equal(h.opened.length, 1, 'no reopen loop while keepalived is gone')
    h.alive.keepalived = true
    await h.clock.advance(500)
    assert.equal(h.opened.length, 2)
    h.push('INSTANCE "VI_1" BACKUP 100')
    await h.clock.flush()
    d.terminate()
    assert.deepEqual(roles((await d.done, h.applied)), ['MASTER/fifo', 'STOP/watchdog+vips', 'BACKUP/fifo'])
  })
})

describe('daemonMode', () => {
  it('child only when keepalived itself started it with the FIFO', () => {
    assert.equal(daemonMode('/run/ha-tool/notify.fifo', () => true), 'child')
    assert.equal(daemonMode('/run/ha-tool/notify.fifo', () => false), 'service', 'a shell parent is not keepalived')
    assert.equal(daemonMode(undefined, () => true), 'service')
  })
})

describe('pickRole', () => {
  const inst = (name: string, role: 'MASTER' | 'BACKUP') => ({name, path: '', state: 0, stateName: '', role})
  it('takes the named instance, else a role all instances agree on', () => {
    assert.equal(pickRole([inst('A', 'MASTER'), inst('B', 'BACKUP')], 'B'), 'BACKUP')
    assert.equal(pickRole([inst('A', 'MASTER'), inst('B', 'MASTER')], 'G1'), 'MASTER')
    assert.equal(pickRole([inst('A', 'MASTER'), inst('B', 'BACKUP')], ''), undefined)
    assert.equal(pickRole([], ''), undefined)
  })
})
