import {closeSync, fchmodSync, fchownSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync} from 'node:fs'
import {basename, dirname} from 'node:path'

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
  /** Owner of the new file, set on the temp file's descriptor before the rename (never by path: a path can be swapped for a symlink). */
  owner?: {uid: number; gid: number}
  /** Create the directory when it is missing. */
  mkdir?: boolean
  /**
   * false skips the fsyncs: for files in /run (tmpfs, gone at reboot anyway) where only
   * atomicity matters, on paths that run on every keepalived event. Default true.
   */
  durable?: boolean
  /** Test seam: runs after the temp file is durable and before the rename. */
  beforeRename?: (tempPath: string) => void
}

/**
 * Writes a file so that a reader sees the old content or the new, never a part:
 * temp file in the same directory, fsync, rename over, fsync the directory.
 * On any failure the temp file is removed and the old file is untouched.
 */
let tempCounter = 0

export function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const dir = dirname(path)
  if (opts.mkdir) mkdirSync(dir, {recursive: true})
  // Unique per process and call, opened with O_EXCL. (Not node:crypto: it costs ~5 ms to load on the hot path.)
  const temp = `${dir}/.${basename(path)}.${process.pid}.${(tempCounter++).toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`
  const mode = opts.mode ?? 0o644
  const fd = openSync(temp, 'wx', mode)
  let open = true
  let renamed = false
  try {
    // Owner first: chown clears set-id bits. Then the mode asked for, not what the umask leaves of
    // it (a 0600 networkd drop-in breaks the link).
    if (opts.owner) fchownSync(fd, opts.owner.uid, opts.owner.gid)
    fchmodSync(fd, mode)
    const buf = typeof data === 'string' ? Buffer.from(data) : data
    let off = 0
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off)
    fsyncSync(fd)
    closeSync(fd)
    open = false
    opts.beforeRename?.(temp)
    renameSync(temp, path)
    renamed = true
    syncDir(dir)
  } catch (error) {
    // Only while still open: a second close could hit an fd number reused by someone else since.
    if (open) try { closeSync(fd) } catch { /* nothing more to do */ }
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
