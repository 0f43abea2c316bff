import {constants, openSync, statSync} from 'node:fs'
import {Socket} from 'node:net'
import {createInterface} from 'node:readline'

export type FifoReader = {
  /** Resolves at EOF (every writer closed; only in 'reader' mode) or on a read error. */
  done: Promise<{reason: 'eof' | 'error'; error?: Error}>
  close(): void
}

/**
 * Reads lines from keepalived's notify FIFO through libuv's event loop (a non-blocking fd
 * in a net.Socket), so closing it never leaves a thread-pool thread stuck in read().
 * - 'reader' (the daemon, in both modes): opened read-only; EOF means keepalived, the only
 *   writer, closed its end (reload or exit), or has not opened it yet.
 * - 'holder': opened read-write, so we are a writer too and never see EOF.
 */
export function openFifo(path: string, mode: 'reader' | 'holder', onLine: (line: string) => void): FifoReader {
  const st = statSync(path)
  if (!st.isFIFO()) throw Object.assign(new Error(`${path} is not a FIFO`), {code: 'ENOTFIFO'})
  const flags = (mode === 'holder' ? constants.O_RDWR : constants.O_RDONLY) | constants.O_NONBLOCK
  const fd = openSync(path, flags)
  const socket = new Socket({fd, readable: true, writable: false})
  socket.setEncoding('utf8')
  const rl = createInterface({input: socket, crlfDelay: Infinity})
  rl.on('line', onLine)
  const done = new Promise<{reason: 'eof' | 'error'; error?: Error}>((resolve) => {
    socket.once('error', (error) => resolve({reason: 'error', error}))
    rl.once('close', () => resolve({reason: 'eof'}))
  })
  return {done, close: () => { rl.close(); socket.destroy() }}
}

/** The inode at `path` when it is a FIFO; undefined when missing or not a FIFO. */
export function fifoInode(path: string): number | undefined {
  try {
    const st = statSync(path)
    return st.isFIFO() ? st.ino : undefined
  } catch {
    return undefined
  }
}
