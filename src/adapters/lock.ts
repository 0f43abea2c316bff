import {createServer} from 'node:net'
import {getSystemErrorName} from 'node:util'
import {HaError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {monoMs} from './clock.js'

export type Lock = {release(): Promise<void>}

/**
 * An exclusive lock with a timeout, held as a listening socket in the abstract unix namespace.
 * The kernel frees it the moment the holder dies, even on SIGKILL, so there is no stale-lock
 * recovery (and no race in it) to get wrong. libuv opens it close-on-exec, so a daemon we
 * start (conntrackd -d, dnsmasq) does not inherit it. The name is the lock's path under
 * state.dir; abstract names are per network namespace, which is one node.
 */
export async function acquireLock(path: string, timeoutMs: number): Promise<Lock> {
  const deadline = monoMs() + timeoutMs
  let wait = 2
  for (;;) {
    const held = await tryBind(`\0ha-tool:${path}`)
    if (held) return held
    const left = deadline - monoMs()
    if (left <= 0) {
      throw new HaError(`lock ${path} is busy: another ha-tool is working on this node (waited ${timeoutMs} ms)`, ExitCode.TEMPFAIL, {kind: 'busy'})
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, left)))
    wait = Math.min(wait * 2, 50)
  }
}

/** Binds the name, or says it is taken (undefined). */
function tryBind(name: string): Promise<Lock | undefined> {
  const pipe = pipeWrap()
  if (!pipe) return tryListen(name)
  const handle = new pipe.Pipe(pipe.constants.SERVER)
  const err = handle.bind(name)
  if (err === 0) {
    const listening = handle.listen(1)
    if (listening === 0) {
      handle.unref()
      return Promise.resolve({release: () => new Promise<void>((resolve) => handle.close(resolve))})
    }
    handle.close()
    return Promise.reject(new HaError(`lock: listen: ${getSystemErrorName(listening)}`, ExitCode.FAILED))
  }
  handle.close()
  if (getSystemErrorName(err) === 'EADDRINUSE') return Promise.resolve(undefined)
  return Promise.reject(new HaError(`lock: bind: ${getSystemErrorName(err)}`, ExitCode.FAILED))
}

type PipeHandle = {bind(name: string): number; listen(backlog: number): number; unref(): void; close(done?: () => void): void}
type PipeWrap = {Pipe: new (type: number) => PipeHandle; constants: {SERVER: number}}

/**
 * The libuv pipe binding that net.Server itself binds with. On the hot path (`notify`, once per
 * keepalived event) net.Server's own code costs ~1 ms of a ~37 ms run, the binding ~0.1 ms. It
 * is not a documented API, so anything unexpected about it means net.Server, which does the
 * same bind. HA_TOOL_LOCK_NET=1 forces net.Server (the tests run both).
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

/** The same lock through net.Server. */
function tryListen(name: string): Promise<Lock | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(undefined)
      else reject(new HaError(`lock: ${error.message}`, ExitCode.FAILED))
    })
    server.listen({path: name}, () => {
      server.unref()
      resolve({release: () => new Promise<void>((done) => server.close(() => done()))})
    })
  })
}
