import {chmodSync, closeSync, constants, fchmodSync, fchownSync, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, type Stats, statSync, unlinkSync, writeSync} from 'node:fs'
import {basename, dirname} from 'node:path'

/** Reads a text file; throws the errno error, its message naming the path (callers phrase it for their context). */
export function readText(path: string): string {
  return namingPath(path, () => readFileSync(path, 'utf8'))
}

/**
 * Runs fs work on `path`; an error whose message does not name the path (a read of a directory
 * says only "EISDIR: illegal operation on a directory, read") is given it, code kept.
 */
export function namingPath<T>(path: string, work: () => T): T {
  try {
    return work()
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    if (e instanceof Error && !e.message.includes(path)) e.message = `${path}: ${e.message}`
    throw error
  }
}

/** What a config file may weigh: the largest real one is a few KiB. */
export const MAX_CONFIG_BYTES = 1024 * 1024

/**
 * Reads a file that must be a regular file of at most `maxBytes`: a FIFO, a device (/dev/zero)
 * or a directory would hang the read or fill the memory. Opened O_NONBLOCK so even a FIFO with
 * no writer is not waited on. Throws an Error whose code is ENOTREG or EFBIG (or the open's errno).
 */
export function readRegularText(path: string, maxBytes: number, trust?: 'root'): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const st = fstatSync(fd)
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
    if (!st.isFile()) throw Object.assign(new Error(`not a regular file (${fileKind(st)})`), {code: 'ENOTREG'})
    if (st.size > maxBytes) throw Object.assign(new Error(`${st.size} bytes, more than ${maxBytes}`), {code: 'EFBIG'})
    // What root obeys (start commands, paths it writes) must be root's to say.
    if (trust === 'root' && (process.geteuid?.() ?? 0) === 0 && (st.uid !== 0 || (st.mode & 0o022) !== 0)) {
      throw Object.assign(new Error(st.uid !== 0 ? `owned by uid ${st.uid}, not root` : `writable by ${writers(st.mode)} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`), {code: 'EUNTRUSTED'})
    }
    // The size may grow under us: read at most one byte more than allowed, to notice.
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1)
    let n = 0
    for (let r = 1; r > 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, null)
    if (n > maxBytes) throw Object.assign(new Error(`more than ${maxBytes} bytes`), {code: 'EFBIG'})
    return buf.subarray(0, n).toString('utf8')
  } finally {
    closeSync(fd)
  }
}

/** 'its group', 'others' or 'its group and others', from a mode with 0o022 bits set. */
export function writers(mode: number): string {
  return (mode & 0o022) === 0o022 ? 'its group and others' : (mode & 0o020) !== 0 ? 'its group' : 'others'
}

function fileKind(st: Stats): string {
  return st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a file'
}

/** Why a directory is not safe to keep root's files in, or undefined when it is. */
export function unsafeDirReason(dir: string): string | undefined {
  const st = lstatSync(dir)
  if (!st.isDirectory()) return st.isSymbolicLink() ? 'is a symbolic link, not a directory' : 'is not a directory'
  const uid = process.geteuid?.() ?? 0
  // root's is safe for anyone; a non-root caller's own directory is safe for it.
  if (st.uid !== uid && st.uid !== 0) return `is owned by uid ${st.uid}, not ${uid === 0 ? 'root' : `root or uid ${uid}`}`
  if ((st.mode & 0o022) !== 0) return `is writable by ${(st.mode & 0o020) !== 0 ? 'its group' : 'others'} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`
  return undefined
}

export function readTextOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    return namingPath(path, () => { throw error })
  }
}

export type AtomicWriteOptions = {
  mode?: number
  /** Owner of the new file, set on the temp file's descriptor before the rename (never by path: a path can be swapped for a symlink). */
  owner?: {uid: number; gid: number}
  /** Create the directory when it is missing (mode `dirMode`, default 0755). */
  mkdir?: boolean
  dirMode?: number
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
 * temp file in the same directory, fsync, rename over, fsync the directory (no fsyncs with
 * durable: false).
 * On any failure the temp file is removed and the old file is untouched.
 */
let tempCounter = 0

export function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  namingPath(path, () => writeAtomic(path, data, opts))
}

function writeAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions): void {
  const dir = dirname(path)
  if (opts.mkdir) ensureDir(dir, opts.dirMode ?? 0o755)
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
    if (opts.durable !== false) fsyncSync(fd)
    closeSync(fd)
    open = false
    opts.beforeRename?.(temp)
    renameSync(temp, path)
    renamed = true
    if (opts.durable !== false) syncDir(dir)
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

/**
 * mkdir -p with an explicit mode on every directory it creates: keepalived runs its scripts
 * under umask 0177, which would leave them drw------- (a networkd drop-in directory that
 * systemd-network cannot read). Directories that exist already are left as they are.
 */
export function ensureDir(dir: string, mode: number): void {
  const missing: string[] = []
  for (let d = dir; !statSync(d, {throwIfNoEntry: false}); d = dirname(d)) {
    missing.unshift(d)
    if (dirname(d) === d) break
  }
  for (const d of missing) {
    try {
      mkdirSync(d, {mode})
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue // made meanwhile by someone else: theirs
      throw error
    }
    chmodSync(d, mode)
  }
}

/** A configuration file for another daemon: atomically, mode 0644, missing directories made 0755. */
export function writeConfigFile(path: string, text: string): void {
  writeFileAtomic(path, text, {mkdir: true, mode: 0o644, dirMode: 0o755})
}
