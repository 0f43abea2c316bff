import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Direction, SyncMark} from '../core/leases/replication.js'
import {writeFileAtomic} from './files.js'

/** The replication marks (core/leases/replication.ts), one small JSON file per direction in state.dir. */
export type ReplicationMarks = {
  read(): Partial<Record<Direction, SyncMark>>
  /** Best effort: a mark that cannot be written is only a missing status line, never a failed hook. */
  write(direction: Direction, mark: SyncMark): void
}

export function createReplicationMarks(stateDir: string): ReplicationMarks {
  const file = (d: Direction) => join(stateDir, `lease-sync-${d === 'toPeer' ? 'to' : 'from'}-peer.json`)
  const readOne = (d: Direction): SyncMark | undefined => {
    try {
      const v = JSON.parse(readFileSync(file(d), 'utf8')) as Partial<SyncMark>
      if (typeof v.at !== 'number' || typeof v.ok !== 'boolean') return undefined
      return {at: v.at, ok: v.ok, ...(typeof v.lastOkAt === 'number' ? {lastOkAt: v.lastOkAt} : {}), ...(typeof v.error === 'string' ? {error: v.error} : {})}
    } catch {
      return undefined
    }
  }
  return {
    read: () => {
      const out: Partial<Record<Direction, SyncMark>> = {}
      for (const d of ['toPeer', 'fromPeer'] as const) {
        const m = readOne(d)
        if (m) out[d] = m
      }
      return out
    },
    write: (d, mark) => {
      try {
        writeFileAtomic(file(d), `${JSON.stringify(mark)}\n`, {mode: 0o600, durable: false})
      } catch { /* status only */ }
    },
  }
}
