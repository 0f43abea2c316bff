import {spawn} from 'node:child_process'
import {linkSync, unlinkSync} from 'node:fs'
import {connect, createServer} from 'node:net'
import {dirname} from 'node:path'
import {getSystemErrorName} from 'node:util'
import {HaError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {monoMs} from './clock.js'
import {ensureDir, unsafeDirReason} from './files.js'
import {SAFE_PATH} from './safe-path.js'

export type Lock = {release(): Promise<void>}

/**
 * An exclusive lock with a timeout: a listening unix socket named `path`, inside state.dir,
 * which must be root's and not group/other-writable, so no other local user can create the
 * name (an abstract socket name could be bound first by anyone). The socket is bound under a
 * private name, listening, and only then hard-linked to `path` (link fails when the name
 * exists), so a name always has a listener behind it while its holder lives. A holder that
 * died (SIGKILL) leaves a name nobody listens on: connect says ECONNREFUSED, and the waiter
 * removes it under `flock <path>.recover`, the only place a name is removed by someone other
 * than its holder, so two waiters can never both remove and re-take it. libuv opens the
 * socket close-on-exec, so a daemon we start (conntrackd -d, dnsmasq) does not inherit it.
 */
export async function acquireLock(path: string, timeoutMs: number): Promise<Lock> {
  checkLockDir(dirname(path))
  const deadline = monoMs() + timeoutMs
  let wait = 2
  for (;;) {
    const held = await tryTake(path)
    if (held) return held
    const state = await probe(path)
    // Both go round again only after real progress: the name went away, or we removed a dead one.
    if (state === 'gone') continue
    if (state === 'stale' && await recoverStale(path, Math.max(deadline - monoMs(), 200))) continue
    const left = deadline - monoMs()
    if (left <= 0) {
      if (state === 'stale') throw new HaError(`lock ${path} is left by a dead holder and cannot be removed`, ExitCode.TEMPFAIL, {kind: 'busy', hint: `rm ${path}`})
      throw new HaError(`lock ${path} is busy: another ha-tool is working on this node (waited ${timeoutMs} ms)`, ExitCode.TEMPFAIL, {kind: 'busy'})
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, left)))
    wait = Math.min(wait * 2, 50)
  }
}

/**
 * The lock's directory must exist (created 0755 if not) and be a real directory owned by us
 * (root) and not writable by group or others: whoever can create names in it can hold the lock.
 */
export function checkLockDir(dir: string): void {
  try {
    ensureDir(dir, 0o755)
  } catch (error) {
    throw new HaError(`${dir}: cannot create the state directory for the lock: ${(error as Error).message}`, ExitCode.FAILED)
  }
  const problem = unsafeDirReason(dir)
  if (problem) throw new HaError(`${dir}: ${problem}: another local user could take the node lock`, ExitCode.CONFIG, {hint: `chown root:root ${dir} && chmod 0755 ${dir}`})
}

/** Listens under a private name, then links it to `path`; undefined when `path` exists. */
async function tryTake(path: string): Promise<Lock | undefined> {
  // Unique among live processes; a leftover of a dead process with our pid is stale by definition.
  const own = `${path}.${process.pid}`
  try { unlinkSync(own) } catch { /* usually not there */ }
  const server = await listen(own)
  try {
    linkSync(own, path)
  } catch (error) {
    await server.close()
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined
    throw new HaError(`lock ${path}: ${(error as Error).message}`, ExitCode.FAILED)
  } finally {
    try { unlinkSync(own) } catch { /* closing removed it */ }
  }
  return {
    release: async () => {
      // The name first: nobody else removes a name whose listener is alive, so it is still ours.
      try { unlinkSync(path) } catch { /* removed by hand */ }
      await server.close()
    },
  }
}

type Listener = {close(): Promise<void>}

/** A listening unix socket at `path`: node's pipe binding when there, else net.Server. */
function listen(path: string): Promise<Listener> {
  const pipe = pipeWrap()
  if (!pipe) return listenNet(path)
  const handle = new pipe.Pipe(pipe.constants.SERVER)
  const err = handle.bind(path)
  const listening = err === 0 ? handle.listen(1) : err
  if (listening !== 0) {
    handle.close()
    return Promise.reject(lockError(path, getSystemErrorName(listening), getSystemErrorName(listening)))
  }
  handle.unref()
  return Promise.resolve({close: () => new Promise<void>((resolve) => handle.close(resolve))})
}

type PipeHandle = {bind(name: string): number; listen(backlog: number): number; unref(): void; close(done?: () => void): void}
type PipeWrap = {Pipe: new (type: number) => PipeHandle; constants: {SERVER: number}}

/**
 * The libuv pipe binding net.Server itself binds with. Timed in fresh processes (bind, listen,
 * link, unlink, close) it takes ~2.3 ms against net.Server's ~3.7 ms, on a `notify` of ~38 ms
 * (docs/hardening.md). Not a documented API, so anything unexpected about it means net.Server,
 * which does the same bind. HA_TOOL_LOCK_NET=1 forces net.Server (the tests run both).
 */
function pipeWrap(): PipeWrap | undefined {
  if (process.env.HA_TOOL_LOCK_NET === '1') return undefined
  try {
    const b = (process as unknown as {binding(name: string): Partial<PipeWrap>}).binding('pipe_wrap')
    if (typeof b.Pipe === 'function' && typeof b.constants?.SERVER === 'number' && typeof b.Pipe.prototype.bind === 'function') return b as PipeWrap
  } catch { /* not there in this Node */ }
  return undefined
}

/** Which of the two takes the lock on this Node (the fast one is expected: a test says so). */
export const lockMechanism = (): 'pipe binding' | 'net.Server' => (pipeWrap() ? 'pipe binding' : 'net.Server')

function listenNet(path: string): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) => reject(lockError(path, error.code, error.message)))
    server.listen({path}, () => {
      server.unref()
      resolve({close: () => new Promise<void>((done) => server.close(() => done()))})
    })
  })
}

function lockError(path: string, code: string | undefined, message: string): HaError {
  return code === 'EACCES'
    ? new HaError(`lock ${path}: permission denied (run ha-tool as root: the node lock is root's alone)`, ExitCode.UNAVAILABLE, {kind: 'permission-denied'})
    : new HaError(`lock ${path}: ${message}`, ExitCode.FAILED)
}

/**
 * Whether a holder listens behind the name: 'live' (connected, or its backlog is full),
 * 'stale' (nobody listens: its holder died), 'gone' (released meanwhile).
 */
function probe(path: string): Promise<'live' | 'stale' | 'gone'> {
  return new Promise((resolve) => {
    const socket = connect({path})
    socket.once('connect', () => { socket.destroy(); resolve('live') })
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy()
      resolve(error.code === 'ECONNREFUSED' ? 'stale' : error.code === 'ENOENT' ? 'gone' : 'live')
    })
  })
}

/**
 * Removes a dead holder's name, serialized by `flock <path>.recover` (util-linux) so that two
 * waiters cannot both judge it stale and the second remove the first one's fresh lock. Only
 * this rare path pays for the child. True when the name is gone (by us or anyone).
 */
async function recoverStale(path: string, timeoutMs: number): Promise<boolean> {
  const child = spawn('/usr/bin/flock', ['-x', '-w', String(Math.ceil(timeoutMs / 1000)), `${path}.recover`, '/bin/sh', '-c', 'echo; exec cat'], {
    stdio: ['pipe', 'pipe', 'ignore'],
    env: {PATH: SAFE_PATH},
  })
  const held = await new Promise<boolean>((resolve) => {
    child.stdout.once('data', () => resolve(true))
    child.once('error', () => resolve(false))
    child.once('exit', () => resolve(false))
  })
  try {
    if (!held) return false
    // Under the recovery lock nobody else removes the name, and nobody can link a new one while it exists.
    if (await probe(path) !== 'stale') return true
    try {
      unlinkSync(path)
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' // a directory there, say: not ours to fix
    }
    return true
  } finally {
    child.stdin.end()
    child.unref()
  }
}
