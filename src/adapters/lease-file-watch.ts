import {existsSync, statSync, watch} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {readLeaseBytes} from './lease-store.js'
import {writeFileAtomic} from './files.js'
import {createReplicatorPid} from './replicator-pid.js'

/** dnsmasq's lease file as the daemon's watch sees it (app/leases/lease-watch.ts). */
export type LeaseFileSource = {
  /** Identity and version of the file (inode, size, mtime and ctime in ns); undefined when there is none. */
  stat(): string | undefined
  read(): Uint8Array | undefined
  /** Calls back when anything in the file's directory changes for the file (dnsmasq rewrites it in place; ha-tool renames over it). */
  watch(onChange: () => void): () => void
}

/** What the watch keeps in state.dir. */
export type LeaseWatchStore = {
  /** The leases the peer has been told about (lease-file text), kept across restarts. */
  readSnapshot(): Uint8Array | undefined
  writeSnapshot(text: string): void
  /** Whether dnsmasq runs the shipped dnsmasq-script (it leaves this mark): only then does the watch replicate. */
  wrapperSeen(): boolean
  /** The pid file the dnsmasq-script looks at: while it names a live process, the script exits at once. */
  claim(): void
  release(): void
  /** Whether a live daemon watches the file and dnsmasq runs the shipped wrapper (`status`). */
  watching(): boolean
}

export function createLeaseFileSource(path: string): LeaseFileSource {
  return {
    stat: () => {
      try {
        const s = statSync(path, {bigint: true})
        return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`
      } catch {
        return undefined
      }
    },
    read: () => readLeaseBytes(path),
    watch: (onChange) => {
      const name = basename(path)
      try {
        const w = watch(dirname(path), {persistent: false}, (_event, file) => {
          if (file === null || file === name) onChange()
        })
        w.on('error', () => { /* the poll still runs */ })
        return () => w.close()
      } catch {
        // No directory yet: the poll notices the file once dnsmasq makes it.
        return () => {}
      }
    },
  }
}

export function createLeaseWatchStore(stateDir: string): LeaseWatchStore {
  const snapshot = join(stateDir, 'lease-watch.snapshot')
  const pid = createReplicatorPid(stateDir, 'lease-watch.pid')
  return {
    readSnapshot: () => readLeaseBytes(snapshot),
    writeSnapshot: (text) => writeFileAtomic(snapshot, text, {mkdir: true, mode: 0o600, durable: false}),
    wrapperSeen: () => existsSync(join(stateDir, 'dnsmasq-script.seen')),
    claim: pid.claim,
    release: pid.release,
    watching: () => pid.alive() && existsSync(join(stateDir, 'dnsmasq-script.seen')),
  }
}
