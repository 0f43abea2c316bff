import {closeSync, constants, fstatSync, openSync, statSync} from 'node:fs'
import {Socket} from 'node:net'
import {MAX_FIFO_LINE} from '../core/keepalived/fifo-line.js'

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
  // What we opened, not what the path said a moment ago: whoever can write it can make us switch roles.
  const why = unsafeFifo(fd)
  if (why) {
    closeSync(fd)
    throw Object.assign(new Error(`${path}: ${why}: only root may write transitions into it`), {code: 'EFIFOPERM'})
  }
  const socket = new Socket({fd, readable: true, writable: false})
  socket.setEncoding('utf8')
  const split = lineSplitter(onLine)
  socket.on('data', split.push)
  const done = new Promise<{reason: 'eof' | 'error'; error?: Error}>((resolve) => {
    socket.once('error', (error) => resolve({reason: 'error', error}))
    socket.once('end', () => { split.end(); resolve({reason: 'eof'}) })
    socket.once('close', () => resolve({reason: 'eof'}))
  })
  return {done, close: () => { socket.destroy() }}
}

/** Why the opened FIFO is not root's alone (owner, group/other write), or undefined. */
function unsafeFifo(fd: number): string | undefined {
  const st = fstatSync(fd)
  if (!st.isFIFO()) return 'not a FIFO'
  const uid = process.geteuid?.() ?? 0
  if (st.uid !== uid && st.uid !== 0) return `owned by uid ${st.uid}`
  if ((st.mode & 0o022) !== 0) return `writable by ${(st.mode & 0o020) !== 0 ? 'its group' : 'others'} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`
  return undefined
}

/**
 * Splits text into lines ('\n', a trailing '\r' left to the parser), keeping at most
 * MAX_FIFO_LINE + 1 characters of any line: the rest of an overlong line is dropped as it
 * arrives, and the parser refuses the line by its length. A 100 MB line costs 4 KiB.
 */
export function lineSplitter(onLine: (line: string) => void): {push(chunk: string): void; end(): void} {
  let buf = ''
  let over = false
  return {
    push(chunk: string) {
      let from = 0
      for (let nl = chunk.indexOf('\n', from); nl !== -1; nl = chunk.indexOf('\n', from)) {
        const line = over ? buf : (buf + chunk.slice(from, nl)).slice(0, MAX_FIFO_LINE + 1)
        buf = ''
        over = false
        onLine(line)
        from = nl + 1
      }
      if (!over) {
        buf += chunk.slice(from, from + MAX_FIFO_LINE + 1 - buf.length)
        if (buf.length > MAX_FIFO_LINE) over = true
      }
    },
    end() {
      if (buf !== '' || over) onLine(buf)
      buf = ''
      over = false
    },
  }
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
