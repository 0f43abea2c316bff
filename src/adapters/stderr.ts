import {writeSync} from 'node:fs'

/**
 * One line to stderr with a plain write(2): the first touch of process.stderr builds a stream
 * over fd 2 (~0.8 ms), on the path keepalived runs every second. Falls back to the stream when
 * fd 2 is a non-blocking pipe that is full (EAGAIN) or gone.
 */
export function writeStderrLine(line: string): void {
  const text = `${line}\n`
  try {
    let off = 0
    const buf = Buffer.from(text)
    while (off < buf.length) off += writeSync(2, buf, off)
  } catch {
    process.stderr.write(text)
  }
}
