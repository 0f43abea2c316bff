// In-memory stand-ins for the lease adapters: files, ssh to the peer, dnsmasq, its D-Bus, the queue.
import {silentLogger} from '../../../src/adapters/log.js'
import type {LeaseDeps} from '../../../src/app/leases/deps.js'
import {defaultConfig} from '../../../src/config/validate.js'
import type {Config} from '../../../src/config/schema.js'
import {unavailableError, HaError} from '../../../src/core/errors.js'
import {ExitCode} from '../../../src/core/exit-codes.js'
import {parseLeaseText} from '../../../src/core/leases/parse.js'
import type {Direction, SyncMark} from '../../../src/core/leases/replication.js'
import type {Lease} from '../../../src/core/leases/types.js'

export const NOW_S = 1_700_000_000
export const LOCAL = '/var/lib/misc/dnsmasq.leases'

export type World = {
  deps: LeaseDeps
  files: Map<string, string>
  calls: string[]
  peerFile: string | undefined
  peerUp: boolean
  peerReceived: string[]
  running: boolean
  dbusPresent: boolean
  injected: Lease[]
  deleted: string[]
  queue: Map<string, string>
  overflow: boolean
  /** Whether a replicator (the daemon) drains the queue. */
  replicatorUp: boolean
  /** Replication marks by direction. */
  marks: Map<Direction, SyncMark>
  /** Batches set aside: id -> reason. */
  setAside: Map<string, string>
  failureAt: number
  /** What `leases receive` recorded (the echo record). */
  received: string
  writeFails?: string
  /** Holds every ssh call until it settles (a slow or dead peer: ssh's connect timeout). */
  peerGate?: Promise<void>
  /** Locks held now, and dnsmasq starts made while none was held. */
  locksHeld: number
  unlockedStarts: number
  /** Every lock request times out (another holder never lets go). */
  lockBusy?: boolean
}

export function world(over: Partial<Config['dnsmasq']> = {}): World {
  const base = defaultConfig()
  const config: Config = {...base, dnsmasq: {...base.dnsmasq, enabled: true, ...over}}
  const w = {files: new Map(), calls: [], peerFile: '', peerUp: true, peerReceived: [], running: false, dbusPresent: false, injected: [], deleted: [], queue: new Map(), setAside: new Map(), marks: new Map(), overflow: false, replicatorUp: false, failureAt: 0, received: '', locksHeld: 0, unlockedStarts: 0} as unknown as World
  let seq = 0
  w.deps = {
    config,
    log: silentLogger,
    now: () => NOW_S * 1000,
    files: {
      read: (p) => (w.files.has(p) ? Buffer.from(w.files.get(p)!, 'latin1') : undefined),
      write: (p, b) => {
        w.calls.push(`write ${p}`)
        if (w.writeFails) throw new HaError(`${p}: cannot write the merged leases (${w.writeFails}); the old file is intact`)
        w.files.set(p, Buffer.from(b).toString('latin1'))
      },
    },
    peer: {
      run: async (argv, opts) => {
        w.calls.push(`ssh ${argv.join(' ')}`)
        if (w.peerGate) await w.peerGate
        if (!w.peerUp) throw unavailableError(`peer ${config.dnsmasq.peer} unreachable: ssh failed: Connection refused`)
        if (argv[0] === 'cat') {
          if (w.peerFile === undefined) return {code: 1, stdout: Buffer.alloc(0), stderr: `cat: ${argv[2]}: No such file or directory`}
          return {code: 0, stdout: Buffer.from(w.peerFile, 'latin1'), stderr: ''}
        }
        // The real receiver's check: a line it cannot read is refused with exit 2, nothing applied.
        const text = Buffer.from(opts?.input ?? '').toString('latin1')
        const bad = text.split('\n').filter(Boolean).find((l) => {
          const action = l.slice(0, l.indexOf(' '))
          try {
            return (action !== 'add' && action !== 'del') || parseLeaseText(`${l.slice(action.length + 1)}\n`, 'pushed').count !== 1
          } catch {
            return true
          }
        })
        if (bad !== undefined) return {code: 2, stdout: Buffer.alloc(0), stderr: `leases receive: bad line ${JSON.stringify(bad.slice(0, 40))}`}
        w.peerReceived.push(text)
        return {code: 0, stdout: Buffer.alloc(0), stderr: ''}
      },
    },
    dnsmasq: {
      running: () => (w.running ? 4242 : undefined),
      start: async () => {
        w.calls.push('start')
        if (w.locksHeld === 0) w.unlockedStarts++
        w.running = true
      },
      stop: async () => { w.calls.push('stop'); w.running = false },
    },
    dbus: () => ({
      present: async () => w.dbusPresent,
      addLease: async (l) => { w.calls.push(`dbus add ${l.ip}`); w.injected.push(l) },
      deleteLease: async (ip) => { w.calls.push(`dbus del ${ip}`); w.deleted.push(ip); return true },
      close: () => {},
    }),
    queue: {
      add: (t) => {
        const id = String(++seq).padStart(5, '0')
        w.queue.set(id, t)
        return id
      },
      setAside: (id, reason) => {
        w.queue.delete(id)
        w.setAside.set(id, reason)
      },
      setAsideList: () => [...w.setAside].sort().map(([id, reason]) => ({id, reason})),
      watch: () => () => {},
      overflowed: () => w.overflow,
      markOverflow: () => { w.overflow = true },
      clearOverflow: () => { w.overflow = false },
      state: () => ({pending: w.queue.size, setAside: w.setAside.size, ...(w.queue.size ? {oldestAt: NOW_S * 1000} : {})}),
      list: () => [...w.queue].sort().map(([id, text]) => ({id, text})),
      remove: (ids) => { for (const id of ids) w.queue.delete(id) },
      lastFailure: () => w.failureAt,
      markFailure: (at) => { w.failureAt = at },
      clearFailure: () => { w.failureAt = 0 },
    },
    replication: {
      read: () => Object.fromEntries(w.marks),
      write: (d, m) => { w.marks.set(d, m) },
    },
    received: {
      read: () => w.received,
      write: (text) => { w.received = text },
    },
    replicator: {
      alive: () => w.replicatorUp,
      claim: () => { w.replicatorUp = true },
      release: () => { w.replicatorUp = false },
    },
    lock: async (name) => {
      if (w.lockBusy) throw new HaError(`lock ${name} is busy: another ha-tool is working on this node`, ExitCode.TEMPFAIL, {kind: 'busy'})
      w.locksHeld++
      return {release: async () => { w.locksHeld-- }}
    },
    close: () => {},
  }
  return w
}

export const lease = (exp: number, mac: string, ip: string, host = '*', cid = '*') => `${exp} ${mac} ${ip} ${host} ${cid}\n`
