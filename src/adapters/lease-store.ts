import {chownSync, closeSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {HaError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {ensureDir, writeFileAtomic} from './files.js'

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
 * (dnsmasq may run as its own user). On ENOSPC, EROFS or any other failure the old file is
 * untouched and the error names the file.
 */
export function writeLeaseBytes(path: string, bytes: Uint8Array): void {
  let st: {mode: number; uid: number; gid: number} | undefined
  try {
    st = statSync(path)
  } catch { /* a new file */ }
  try {
    writeFileAtomic(path, bytes, {mode: st ? st.mode & 0o7777 : 0o644, mkdir: true})
    if (st && (st.uid !== process.getuid?.() || st.gid !== process.getgid?.())) chownSync(path, st.uid, st.gid)
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
  add(text: string): void
  /** Queued batches, oldest first. */
  list(): Array<{id: string; text: string}>
  remove(ids: readonly string[]): void
  /** Epoch ms of the last failed push (the back-off marker), or 0. */
  lastFailure(): number
  markFailure(at: number): void
  clearFailure(): void
}

export function createLeaseQueue(dir: string): LeaseQueue {
  const marker = join(dir, 'peer-down')
  return {
    add: (text) => {
      const name = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.ev`
      try {
        writeFileAtomic(join(dir, name), text, {mkdir: true, mode: 0o600})
      } catch (error) {
        throw new HaError(`${dir}: cannot queue lease changes for the peer: ${(error as Error).message}`, ExitCode.FAILED)
      }
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
      try {
        return Number(readFileSync(marker, 'utf8')) || 0
      } catch {
        return 0
      }
    },
    markFailure: (at) => {
      try {
        ensureDir(dir, 0o700)
        const fd = openSync(marker, 'w', 0o600)
        writeSync(fd, String(at))
        closeSync(fd)
      } catch { /* only a back-off hint */ }
    },
    clearFailure: () => {
      try { unlinkSync(marker) } catch { /* not there */ }
    },
  }
}
