// The node lock against real processes: a second holder waits, then fails with exit 75; a holder
// killed with SIGKILL frees it at once, to exactly one of its waiters; a daemon the holder started does not keep it.
import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {chmodSync, chownSync, mkdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {dirname} from 'node:path'
import {tmpdir} from 'node:os'
import {after, describe, test} from 'node:test'
import {acquireLock, lockMechanism} from '../../../src/adapters/lock.js'
import {HaError} from '../../../src/core/errors.js'
import {ExitCode} from '../../../src/core/exit-codes.js'
import {cleanEnv, ROOT} from '../../support/spawn.js'

const LOCK_TS = `${ROOT}/src/adapters/lock.ts`
// A fresh state.dir per test, removed at the end.
const made: string[] = []
const lockPath = () => {
  const dir = `${tmpdir()}/hat-h2-lock-${process.pid}-${randomBytes(4).toString('hex')}`
  made.push(dir)
  return `${dir}/lock`
}
after(() => { for (const d of made) rmSync(d, {recursive: true, force: true}) })

/** A process that takes the lock, prints `held <daemon pid>`, and waits to be killed. */
async function startHolder(path: string, opts: {spawnDaemon?: boolean; env?: Record<string, string>} = {}): Promise<{child: ChildProcess; daemonPid?: number}> {
  const code = `
    import {spawn} from 'node:child_process'
    import {acquireLock, lockMechanism} from ${JSON.stringify(LOCK_TS)}
    await acquireLock(${JSON.stringify(path)}, 1000)
    const d = ${opts.spawnDaemon ? "spawn('sleep', ['60'], {stdio: 'ignore', detached: true})" : 'undefined'}
    d?.unref()
    process.stdout.write('held ' + (d?.pid ?? '') + '\\n')
    setInterval(() => {}, 1000)`
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {cwd: ROOT, env: {...cleanEnv(), ...opts.env}, stdio: ['ignore', 'pipe', 'pipe']})
  let err = ''
  child.stderr!.on('data', (d) => { err += d })
  const line = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`holder did not take the lock: ${err}`)), 15_000)
    child.stdout!.on('data', (d) => {
      out += d
      if (out.includes('\n')) { clearTimeout(timer); resolve(out) }
    })
    child.on('exit', (c) => { clearTimeout(timer); reject(new Error(`holder exited ${c}: ${err}`)) })
  })
  const pid = Number(line.trim().split(' ')[1])
  return {child, daemonPid: Number.isFinite(pid) && pid > 0 ? pid : undefined}
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

async function busyError(path: string, timeoutMs: number): Promise<{err: HaError; waitedMs: number}> {
  const started = performance.now()
  try {
    const lock = await acquireLock(path, timeoutMs)
    await lock.release()
  } catch (error) {
    assert.ok(error instanceof HaError, `a HaError, got ${String(error)}`)
    return {err: error, waitedMs: performance.now() - started}
  }
  assert.fail('the second acquire succeeded while the lock was held')
}

describe('acquireLock', () => {
  test('a second holder in the same process waits its timeout, then HaError exit 75', async () => {
    const path = lockPath()
    const first = await acquireLock(path, 100)
    try {
      const {err, waitedMs} = await busyError(path, 300)
      assert.equal(err.exit, ExitCode.TEMPFAIL)
      assert.equal(err.exit, 75)
      assert.equal(err.kind, 'busy')
      assert.match(err.message, new RegExp(`lock ${path} is busy`))
      assert.ok(waitedMs >= 295 && waitedMs < 1500, `waited ${waitedMs} ms for a 300 ms timeout`)
    } finally {
      await first.release()
    }
    const again = await acquireLock(path, 100)
    await again.release()
  })

  test('a waiter gets the lock as soon as the holder releases it', async () => {
    const path = lockPath()
    const first = await acquireLock(path, 100)
    setTimeout(() => { void first.release() }, 200)
    const started = performance.now()
    const second = await acquireLock(path, 5000)
    const waited = performance.now() - started
    await second.release()
    assert.ok(waited >= 150 && waited < 1500, `waited ${waited} ms for a release at 200 ms`)
  })

  test('different paths are different locks', async () => {
    const a = await acquireLock(lockPath(), 100)
    const b = await acquireLock(lockPath(), 100)
    await a.release()
    await b.release()
  })

  test('held by another process: exit 75; that process SIGKILLed: free at once', async () => {
    const path = lockPath()
    const {child} = await startHolder(path)
    try {
      const {err} = await busyError(path, 300)
      assert.equal(err.exit, 75)
    } finally {
      await kill9(child)
    }
    const started = performance.now()
    const lock = await acquireLock(path, 2000)
    const waited = performance.now() - started
    await lock.release()
    assert.ok(waited < 500, `free ${waited} ms after the holder died (no stale-lock timeout)`)
  })

  test('a daemon started by the holder does not inherit the lock', async () => {
    const path = lockPath()
    const {child, daemonPid} = await startHolder(path, {spawnDaemon: true})
    assert.ok(daemonPid, 'the holder reported its daemon')
    try {
      await kill9(child)
      // The holder is gone, its child `sleep 60` lives on; the lock must be free.
      assert.doesNotThrow(() => process.kill(daemonPid!, 0), 'the daemon still runs')
      const lock = await acquireLock(path, 1000)
      await lock.release()
    } finally {
      try { process.kill(daemonPid!, 'SIGKILL') } catch { /* already gone */ }
    }
  })

  test('a dead holder\'s name is recovered by exactly one of many waiters at a time (never two holders)', async () => {
    const path = lockPath()
    const {child} = await startHolder(path)
    await kill9(child)
    const log = `${path}.log`
    const code = `
      import {appendFileSync} from 'node:fs'
      import {acquireLock, lockMechanism} from ${JSON.stringify(LOCK_TS)}
      const lock = await acquireLock(${JSON.stringify(path)}, 20000)
      appendFileSync(${JSON.stringify(log)}, 'in ' + process.pid + '\\n')
      await new Promise((r) => setTimeout(r, 30))
      appendFileSync(${JSON.stringify(log)}, 'out ' + process.pid + '\\n')
      await lock.release()`
    const waiters = Array.from({length: 6}, () => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {cwd: ROOT, env: cleanEnv(), stdio: 'ignore'}))
    const codes = await Promise.all(waiters.map((w) => new Promise<number | null>((resolve) => w.once('exit', resolve))))
    assert.deepEqual(codes, [0, 0, 0, 0, 0, 0])
    const lines = readFileSync(log, 'utf8').trim().split('\n')
    assert.equal(lines.length, 12)
    for (let i = 0; i < lines.length; i += 2) {
      const pid = lines[i].split(' ')[1]
      assert.deepEqual([lines[i], lines[i + 1]], [`in ${pid}`, `out ${pid}`], `overlapping holders:\n${lines.join('\n')}`)
    }
  })

  test('a state.dir writable by group or others, or not ours, is refused (exit 78) before any lock is taken', async () => {
    for (const [mode, why] of [[0o775, /writable by its group \(mode 0775\)/], [0o757, /writable by others/], [0o1777, /writable by its group/]] as const) {
      const path = lockPath()
      mkdirSync(dirname(path), {recursive: true})
      chmodSync(dirname(path), mode)
      await assert.rejects(acquireLock(path, 100), (e: HaError) => e.exit === 78 && why.test(e.message) && e.message.startsWith(dirname(path)))
    }
    const path = lockPath()
    mkdirSync(dirname(path), {recursive: true})
    chownSync(dirname(path), 65534, 65534)
    await assert.rejects(acquireLock(path, 100), (e: HaError) => e.exit === 78 && /owned by uid 65534/.test(e.message))
  })

  test('a name that cannot be removed (a directory) ends in exit 75 at the timeout, not a spin', async () => {
    const path = lockPath()
    mkdirSync(path, {recursive: true})
    const started = performance.now()
    await assert.rejects(acquireLock(path, 400), (e: HaError) => e.exit === 75 && /cannot be removed/.test(e.message))
    assert.ok(performance.now() - started < 3000)
  })

  test('a missing state.dir is created 0755 even under keepalived\'s umask 0177', async () => {
    const path = lockPath()
    const old = process.umask(0o177)
    try {
      const lock = await acquireLock(path, 100)
      await lock.release()
    } finally {
      process.umask(old)
    }
    assert.equal(statSync(dirname(path)).mode & 0o7777, 0o755)
  })

  // acquireLock binds through node's pipe binding, or net.Server when that is not there
  // (HA_TOOL_LOCK_NET=1 forces it): both must take the same lock.
  test('on this Node the lock is taken through the pipe binding (the hot path counts on it)', () => {
    assert.equal(lockMechanism(), 'pipe binding')
  })

  test('the pipe binding and the net.Server fallback exclude each other', async () => {
    const path = lockPath()
    const {child} = await startHolder(path, {env: {HA_TOOL_LOCK_NET: '1'}})
    try {
      assert.equal((await busyError(path, 200)).err.exit, 75)
    } finally {
      await kill9(child)
    }
    const other = await startHolder(path)
    process.env.HA_TOOL_LOCK_NET = '1'
    try {
      assert.equal((await busyError(path, 200)).err.exit, 75)
    } finally {
      delete process.env.HA_TOOL_LOCK_NET
      await kill9(other.child)
    }
  })

  test('net.Server fallback: a second holder waits its timeout (75); a release frees it', async () => {
    const path = lockPath()
    process.env.HA_TOOL_LOCK_NET = '1'
    try {
      const first = await acquireLock(path, 100)
      assert.equal((await busyError(path, 200)).err.exit, 75)
      await first.release()
      const again = await acquireLock(path, 100)
      await again.release()
    } finally {
      delete process.env.HA_TOOL_LOCK_NET
    }
  })
})
