import {createServer, type Server} from 'node:net'
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
    const server = await tryListen(`\0ha-tool:${path}`)
    if (server) {
      server.unref()
      return {release: () => new Promise((resolve) => server.close(() => resolve()))}
    }
    const left = deadline - monoMs()
    if (left <= 0) {
      throw new HaError(`lock ${path} is busy: another ha-tool is working on this node (waited ${timeoutMs} ms)`, ExitCode.TEMPFAIL, {kind: 'busy'})
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, left)))
    wait = Math.min(wait * 2, 50)
  }
}

function tryListen(name: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(undefined)
      else reject(new HaError(`lock: ${error.message}`, ExitCode.FAILED))
    })
    server.listen({path: name}, () => resolve(server))
  })
}
