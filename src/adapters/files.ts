import {randomBytes} from 'node:crypto'
import {closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync} from 'node:fs'
import {dirname} from 'node:path'

/** Reads a text file; throws the raw errno error (callers phrase it for their context). */
export function readText(path: string): string {
  return readFileSync(path, 'utf8')
}

export function readTextOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

export type AtomicWriteOptions = {
  mode?: number
  /** Create the directory when it is missing. */
  mkdir?: boolean
  /** Test seam: runs after the temp file is durable and before the rename. */
  beforeRename?: (tempPath: string) => void
}

/**
 * Writes a file so that a reader sees the old content or the new, never a part:
 * temp file in the same directory, fsync, rename over, fsync the directory.
 * On any failure the temp file is removed and the old file is untouched.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const dir = dirname(path)
  if (opts.mkdir) mkdirSync(dir, {recursive: true})
  const temp = `${dir}/.${path.slice(dir.length + 1)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  const fd = openSync(temp, 'wx', opts.mode ?? 0o644)
  let renamed = false
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data
    let off = 0
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off)
    fsyncSync(fd)
    closeSync(fd)
    opts.beforeRename?.(temp)
    renameSync(temp, path)
    renamed = true
    syncDir(dir)
  } catch (error) {
    try { closeSync(fd) } catch { /* already closed */ }
    if (!renamed) try { unlinkSync(temp) } catch { /* never created or already gone */ }
    throw error
  }
}

function syncDir(dir: string): void {
  let fd: number | undefined
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself already happened.
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
