import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {silentLogger} from '../../../src/adapters/log.js'
import {type DaemonDeps, pickRole, startDaemon} from '../../../src/app/daemon.js'
import type {TransitionRequest, TransitionResult} from '../../../src/app/handle-transition.js'
import {defaultConfig} from '../../../src/config/validate.js'

/** A daemon over a fake FIFO: lines are pushed by the test; EOF when the test closes it. */
function harness(opts: {instance?: string; slowMs?: number; dbusRole?: 'MASTER' | 'BACKUP'; parentAlive?: boolean; keepalivedAlive?: boolean | undefined; repairs?: number} = {}) {
  const config = defaultConfig('wan0')
  config.keepalived.instance = opts.instance ?? ''
  config.keepalived.dbus = opts.dbusRole !== undefined
  const applied: TransitionRequest[] = []
  let push: (line: string) => void = () => {}
  let eof: () => void = () => {}
  let inode = 1
  let kernelChanged: () => void = () => {}
  const alive = {parent: opts.parentAlive ?? true, keepalived: opts.keepalivedAlive}
  const sleeps: Array<() => void> = []
  const deps: DaemonDeps = {
    config,
    log: silentLogger,
    transition: async (req) => {
      applied.push(req)
      if (opts.slowMs) await new Promise((r) => setTimeout(r, opts.slowMs))
      // A reconcile finds something to repair while `repairs` lasts, then nothing.
      const repaired = req.source === 'reconcile' && (opts.repairs ?? 0) > 0
      if (repaired) opts.repairs!--
      return {exit: 0, steps: repaired ? [{kind: 'rule.add'}] : []} as TransitionResult
    },
    watchWan: (onChange) => { kernelChanged = onChange; return {stop: () => { kernelChanged = () => {} }} },
    openFifo: (_path, _mode, onLine) => {
      push = onLine
      const done = new Promise<{reason: 'eof'}>((resolve) => { eof = () => resolve({reason: 'eof'}) })
      return {done, close: () => {}}
    },
    fifoInode: () => inode,
    keepalivedAlive: () => alive.keepalived,
    parentAlive: () => alive.parent,
    keepalivedInstances: async () => opts.dbusRole ? [{name: 'VI_1', path: '/x', state: opts.dbusRole === 'MASTER' ? 2 : 1, stateName: opts.dbusRole, role: opts.dbusRole}] : [],
    startServices: async () => [],
    sleep: (ms) => new Promise((r) => { const t = setTimeout(r, Math.min(ms, 5)); sleeps.push(() => { clearTimeout(t); r(undefined) }) }),
  }
  return {deps, applied, push: (l: string) => push(l), eof: () => eof(), alive, recreate: () => { inode++ }, kernel: () => kernelChanged()}
}

const settle = () => new Promise((r) => setTimeout(r, 30))

describe('daemon (keepalived notify_fifo_script)', () => {
  it('applies FIFO events in order, one at a time, and exits at EOF', async () => {
    const h = harness()
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'child'})
    await settle()
    h.push('INSTANCE "VI_1" BACKUP 100')
    await settle()
    h.push('INSTANCE "VI_1" MASTER 100')
    await settle()
    h.eof()
    const s = await d.done
    assert.deepEqual(h.applied.map((r) => `${r.role}/${r.source}`), ['BACKUP/fifo', 'MASTER/fifo'])
    assert.equal(s.lines, 2)
    assert.equal(s.lastRole, 'MASTER')
  })

  it('coalesces: while a transition runs, only the latest pending state is applied next', async () => {
    const h = harness({slowMs: 50})
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'child'})
    await settle()
    h.push('INSTANCE "VI_1" MASTER 100')
    await new Promise((r) => setTimeout(r, 10))
    for (const s of ['BACKUP', 'FAULT', 'MASTER', 'BACKUP']) h.push(`INSTANCE "VI_1" ${s} 100`)
    await new Promise((r) => setTimeout(r, 200))
    h.eof()
    await d.done
    assert.deepEqual(h.applied.map((r) => r.role), ['MASTER', 'BACKUP'])
  })

  it('ignores malformed lines, LVS lines, other instances and non-role events', async () => {
    const h = harness({instance: 'VI_1'})
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'child'})
    await settle()
    for (const l of ['garbage', 'VS [1.2.3.4]:tcp:80 UP', 'INSTANCE "VI_2" MASTER 100', 'INSTANCE "VI_1" MASTER_RX_LOWER_PRI 100', 'INSTANCE "VI_1" FAULT 100']) h.push(l)
    await settle()
    h.eof()
    const s = await d.done
    assert.deepEqual(h.applied.map((r) => r.role), ['FAULT'])
    assert.equal(s.lines, 5)
  })

  it('after SIGTERM it keeps reading until keepalived closes the FIFO, so STOP is applied', async () => {
    const h = harness()
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'child', termGraceMs: 5000})
    await settle()
    h.push('INSTANCE "VI_1" MASTER 100')
    d.terminate()
    await settle()
    h.push('INSTANCE "VI_1" STOP 100')
    await settle()
    h.eof()
    await d.done
    assert.deepEqual(h.applied.map((r) => r.role), ['MASTER', 'STOP'])
  })

  it('when keepalived (its parent) died without a STOP, converges to STOP', async () => {
    const h = harness()
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'child'})
    await settle()
    h.push('INSTANCE "VI_1" MASTER 100')
    await settle()
    h.alive.parent = false
    h.eof()
    const s = await d.done
    assert.deepEqual(h.applied.map((r) => `${r.role}/${r.source}${r.releaseVips ? '+vips' : ''}`), ['MASTER/fifo', 'STOP/watchdog+vips'])
    assert.equal(s.watchdogStops, 1)
  })

  it('converges at start-up to the role keepalived reports over D-Bus', async () => {
    const h = harness({dbusRole: 'MASTER'})
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'child'})
    await settle()
    h.eof()
    await d.done
    assert.deepEqual(h.applied.map((r) => `${r.role}/${r.source}`), ['MASTER/dbus'])
  })
})

describe('daemon reconcile', () => {
  it('a kernel change converges the node again to the last role keepalived reported', async () => {
    const h = harness({repairs: 1})
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'child'})
    await settle()
    h.push('INSTANCE "VI_1" MASTER 100')
    await settle()
    h.kernel()
    h.kernel() // a burst of events makes one reconcile
    await new Promise((r) => setTimeout(r, 300))
    h.eof()
    const s = await d.done
    assert.deepEqual(h.applied.map((r) => `${r.role}/${r.source}`), ['MASTER/fifo', 'MASTER/reconcile'])
    assert.equal(s.reconciled, 1)
  })

  it('nothing to reconcile before keepalived reported a role', async () => {
    const h = harness()
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'child'})
    await settle()
    h.kernel()
    await new Promise((r) => setTimeout(r, 300))
    h.eof()
    await d.done
    assert.deepEqual(h.applied, [])
  })

  it('stops repairing for a while when something keeps undoing the WAN state', async () => {
    const h = harness({repairs: 100})
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'child'})
    await settle()
    h.push('INSTANCE "VI_1" MASTER 100')
    await settle()
    for (let i = 0; i < 10; i++) {
      h.kernel()
      await new Promise((r) => setTimeout(r, 260))
    }
    h.eof()
    const s = await d.done
    assert.equal(s.reconciled, 7, 'six repairs a minute are allowed; the seventh pauses repairs')
  })
})

describe('daemon as its own service', () => {
  it('keepalived dying (pid file) converges to STOP once; it keeps reading afterwards', async () => {
    const h = harness({keepalivedAlive: true})
    const d = startDaemon(h.deps, {fifo: '/x', mode: 'service', pollMs: 5})
    await settle()
    h.push('INSTANCE "VI_1" MASTER 100')
    await settle()
    h.alive.keepalived = false
    await settle()
    await settle()
    h.alive.keepalived = true
    h.recreate()
    await settle()
    h.push('INSTANCE "VI_1" BACKUP 100')
    await settle()
    d.terminate()
    const s = await d.done
    assert.deepEqual(h.applied.map((r) => `${r.role}/${r.source}`), ['MASTER/fifo', 'STOP/watchdog', 'BACKUP/fifo'])
    assert.equal(s.watchdogStops, 1)
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
