import {closeSync, constants, existsSync, lstatSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, watch} from 'node:fs'
import {join} from 'node:path'
import {HaError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import type {QueueState} from '../core/leases/replication.js'
import {ensureDir, writeFileAtomic} from './files.js'

// Orders events queued by one process within one millisecond (names sort by time, pid, then this).
let seq = 0

/** The lease file's bytes, or undefined when there is none yet (a fresh node). */
export function readLeaseBytes(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    throw new HaError(`${path}: cannot read the lease file: ${(error as Error).message}`, ExitCode.FAILED)
  }
}

/**
 * Replaces the lease file atomically (temp file, fsync, rename), keeping its owner and mode
 * (dnsmasq may run as its own user): both are set on the temp file's descriptor before the
 * rename, never by path, so a path swapped for a symlink cannot redirect them. The old file is
 * looked at with lstat: a symlink there is replaced by a plain root-owned 0644 file, its target
 * untouched. On ENOSPC, EROFS or any other failure the old file is untouched and the error names
 * the file.
 */
export function writeLeaseBytes(path: string, bytes: Uint8Array): void {
  let st: {mode: number; uid: number; gid: number} | undefined
  try {
    const l = lstatSync(path)
    if (l.isFile()) st = l
  } catch { /* a new file */ }
  try {
    const owner = st && (st.uid !== process.getuid?.() || st.gid !== process.getgid?.()) ? {uid: st.uid, gid: st.gid} : undefined
    writeFileAtomic(path, bytes, {mode: st ? st.mode & 0o777 : 0o644, mkdir: true, ...(owner ? {owner} : {})})
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOSPC' ? 'disk full' : code === 'EROFS' ? 'read-only file system' : code === 'EACCES' ? 'permission denied' : (error as Error).message
    throw new HaError(`${path}: cannot write the merged leases (${why}); the old file is intact`, ExitCode.FAILED, {kind: 'write-failed'})
  }
}

/**
 * Lease changes the hook could not push to the peer, one file per hook run, oldest first by name.
 * Files rather than one appended log: a hook killed mid-write leaves at most a temp file behind.
 */
export type LeaseQueue = {
  /** Queues a batch; returns its id. */
  add(text: string): string
  /** Queued batches, oldest first. */
  list(): Array<{id: string; text: string}>
  remove(ids: readonly string[]): void
  /** Moves a batch the peer refused out of the way (rejected/ in the queue directory), with the reason beside it. */
  setAside(id: string, reason: string): void
  /** Batches set aside, oldest first: they stay for a person to read (and delete). */
  setAsideList(): Array<{id: string; reason: string}>
  /** How many batches wait and are set aside, and when the oldest waiting one was queued (epoch ms). */
  state(): QueueState
  /** Calls back when the queue directory changes (a hook queued a batch); returns the unsubscribe. */
  watch(onChange: () => void): () => void
  /** The queue was full and changes were not queued: the peer needs a full sync (overflow marker). */
  overflowed(): boolean
  markOverflow(): void
  clearOverflow(): void
  /** Epoch ms of the last failed push (the back-off marker), or 0. */
  lastFailure(): number
  markFailure(at: number): void
  clearFailure(): void
}

export function createLeaseQueue(dir: string): LeaseQueue {
  const marker = join(dir, 'peer-down')
  const rejected = join(dir, 'rejected')
  return {
    add: (text) => {
      const name = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${String(seq++).padStart(9, '0')}-${Math.random().toString(36).slice(2, 8)}.ev`
      try {
        writeFileAtomic(join(dir, name), text, {mkdir: true, dirMode: 0o700, mode: 0o600})
      } catch (error) {
        throw new HaError(`${dir}: cannot queue lease changes for the peer: ${(error as Error).message}`, ExitCode.FAILED)
      }
      return name
    },
    setAside: (id, reason) => {
      try {
        ensureDir(dir, 0o700)
        ensureDir(rejected, 0o700)
        writeFileAtomic(join(rejected, `${id}.why`), `${reason}\n`, {mode: 0o600})
        renameSync(join(dir, id), join(rejected, id))
      } catch (error) {
        throw new HaError(`${dir}: cannot set aside the refused lease change ${id}: ${(error as Error).message}`, ExitCode.FAILED)
      }
    },
    watch: (onChange) => {
      try {
        ensureDir(dir, 0o700)
        const w = watch(dir, {persistent: false}, () => onChange())
        w.on('error', () => { /* the poll still runs */ })
        return () => w.close()
      } catch {
        return () => {}
      }
    },
    overflowed: () => existsSync(join(dir, 'overflow')),
    markOverflow: () => {
      try { writeFileAtomic(join(dir, 'overflow'), `${Date.now()}\n`, {mkdir: true, dirMode: 0o700, mode: 0o600, durable: false}) } catch { /* the next full sync still runs on schedule */ }
    },
    clearOverflow: () => {
      try { unlinkSync(join(dir, 'overflow')) } catch { /* not there */ }
    },
    state: () => {
      let pending: string[] = []
      try {
        pending = readdirSync(dir).filter((n) => n.endsWith('.ev')).sort()
      } catch { /* no queue yet */ }
      let setAside = 0
      try {
        setAside = readdirSync(rejected).filter((n) => n.endsWith('.ev')).length
      } catch { /* none */ }
      const oldest = pending.length ? Number(pending[0].slice(0, 15)) : Number.NaN
      return {pending: pending.length, setAside, ...(Number.isFinite(oldest) ? {oldestAt: oldest} : {})}
    },
    setAsideList: () => {
      let names: string[]
      try {
        names = readdirSync(rejected).filter((n) => n.endsWith('.ev')).sort()
      } catch {
        return []
      }
      return names.map((id) => {
        let reason = ''
        try { reason = readFileSync(join(rejected, `${id}.why`), 'utf8').trim() } catch { /* no reason kept */ }
        return {id, reason}
      })
    },
    list: () => {
      let names: string[]
      try {
        names = readdirSync(dir).filter((n) => n.endsWith('.ev')).sort()
      } catch {
        return []
      }
      const out: Array<{id: string; text: string}> = []
      for (const id of names) {
        try {
          out.push({id, text: readFileSync(join(dir, id), 'latin1')})
        } catch { /* removed by a concurrent flush */ }
      }
      return out
    },
    remove: (ids) => {
      for (const id of ids) try { unlinkSync(join(dir, id)) } catch { /* already gone */ }
    },
    lastFailure: () => {
      // O_NOFOLLOW: the marker is ours, a symlink in its place is not read through.
      let fd: number | undefined
      try {
        fd = openSync(marker, constants.O_RDONLY | constants.O_NOFOLLOW)
        return Number(readFileSync(fd, 'utf8')) || 0
      } catch {
        return 0
      } finally {
        if (fd !== undefined) closeSync(fd)
      }
    },
    markFailure: (at) => {
      // A new file renamed into place: a symlink planted at the marker's path is replaced, never written through.
      try {
        writeFileAtomic(marker, String(at), {mkdir: true, dirMode: 0o700, mode: 0o600, durable: false})
      } catch { /* only a back-off hint */ }
    },
    clearFailure: () => {
      try { unlinkSync(marker) } catch { /* not there */ }
    },
  }
}
