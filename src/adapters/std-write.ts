import {writeSync} from 'node:fs'

/**
 * Text to stdout (1) or stderr (2) with a plain write(2): the first touch of process.stdout or
 * process.stderr builds a stream over the descriptor (~0.8-1.3 ms, docs/startup.md), on the
 * paths keepalived runs every interval and transition. When the descriptor is a non-blocking
 * pipe that is full (EAGAIN) the rest goes through the stream, which waits for it; a reader that
 * went away (EPIPE) gets nothing, as from a stream whose errors nobody listens to.
 */
export function writeFd(fd: 1 | 2, text: string): void {
  const buf = Buffer.from(text)
  let off = 0
  try {
    while (off < buf.length) off += writeSync(fd, buf, off)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') (fd === 1 ? process.stdout : process.stderr).write(buf.subarray(off))
  }
}

/** One line to stderr (writeFd). */
export function writeStderrLine(line: string): void {
  writeFd(2, `${line}\n`)
}
