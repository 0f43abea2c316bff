import type {DnsmasqControl, DnsmasqDbus, LeaseQueue, Lock, Logger, PeerResult, ReplicationMarks} from '../../ports.js'
import type {Config} from '../../config/schema.js'
import {type Direction, nextMark} from '../../core/leases/replication.js'

/** What the lease use-cases touch, injected so test/app can run them against fakes. */
export type LeaseDeps = {
  config: Config
  log: Logger
  /** Wall clock, epoch ms. */
  now(): number
  files: {
    read(path: string): Uint8Array | undefined
    /** Atomic replace; throws leaving the old file intact. */
    write(path: string, bytes: Uint8Array): void
  }
  /** ssh to the peer: rejects with exit 69 when it is unreachable. */
  peer: {run(argv: readonly string[], opts?: {input?: Uint8Array | string; timeoutMs?: number}): Promise<PeerResult>}
  dnsmasq: DnsmasqControl
  /** Opened on first use (dbus-next is imported lazily); closed by the caller's `close`. */
  dbus(): DnsmasqDbus
  queue: LeaseQueue
  /** When replication last worked in each direction (status, sync_warn_s). */
  replication: ReplicationMarks
  /** Whether the daemon's replicator drains the queue (then the hook only queues); claim/release: the replicator's own pid file. */
  replicator: {alive(): boolean; claim(): void; release(): void}
  /** What `leases receive` applied lately (core/leases/echo.ts): the hook drops dnsmasq's echo of it. */
  received: {read(): string; write(text: string): void}
  lock(name: string, timeoutMs: number): Promise<Lock>
  /** Releases what was opened (the D-Bus connection). */
  close(): void
}

export const nowSeconds = (deps: Pick<LeaseDeps, 'now'>): number => Math.floor(deps.now() / 1000)

/** Records an attempt to replicate in one direction (never throws: it only feeds `status`). */
export function markSync(deps: Pick<LeaseDeps, 'now' | 'replication'>, direction: Direction, ok: boolean, error?: string): void {
  try {
    deps.replication.write(direction, nextMark(deps.replication.read()[direction], deps.now(), ok, error))
  } catch { /* status only */ }
}

/** The peer's lease file path. */
export const peerLeasesPath = (config: Config): string => config.dnsmasq.peer_leases || config.dnsmasq.leases

/** argv of `ha-tool leases sync` on the peer (after a queue overflow: it fetches this node's file). */
export function peerSyncArgv(config: Config): string[] {
  const c = config.dnsmasq
  return [...c.peer_command, 'leases', 'sync', ...(c.peer_config ? ['--config', c.peer_config] : [])]
}

/** argv of `ha-tool leases receive` on the peer. */
export function peerReceiveArgv(config: Config): string[] {
  const c = config.dnsmasq
  return [...c.peer_command, 'leases', 'receive', ...(c.peer_config ? ['--config', c.peer_config] : [])]
}
