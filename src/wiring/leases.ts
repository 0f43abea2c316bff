import {createDnsmasqControl} from '../adapters/dnsmasq.js'
import {createDnsmasqDbus, type DnsmasqDbus} from '../adapters/dnsmasq-dbus.js'
import {createExec, type Exec} from '../adapters/exec.js'
import {createLeaseQueue, readLeaseBytes, writeLeaseBytes} from '../adapters/lease-store.js'
import {acquireLock} from '../adapters/lock.js'
import type {Logger} from '../adapters/log.js'
import {createReplicationMarks} from '../adapters/replication-marks.js'
import {createReplicatorPid} from '../adapters/replicator-pid.js'
import {peerFromConfig} from '../adapters/peer.js'
import type {Config} from '../config/schema.js'
import type {LeaseDeps} from '../app/leases/deps.js'
import {peerTarget} from '../app/leases/peer-target.js'
import {startReplicator} from '../app/leases/replicator.js'
import {createSshChannel} from '../adapters/ssh-channel.js'
import {join} from 'node:path'
import {createLeaseEchoRecord} from '../adapters/lease-echo-record.js'
import {createLeaseFileSource, createLeaseWatchStore} from '../adapters/lease-file-watch.js'
import {type LeaseWatch, startLeaseWatch} from '../app/leases/lease-watch.js'

/** The real adapters behind the lease use-cases. */
export function createLeaseDeps(config: Config, exec: Exec, log: Logger, now: () => number = Date.now): LeaseDeps {
  const c = config.dnsmasq
  let dbus: DnsmasqDbus | undefined
  return {
    config,
    log,
    now,
    files: {read: readLeaseBytes, write: writeLeaseBytes},
    peer: peerFromConfig(config, log),
    dnsmasq: createDnsmasqControl(exec, c),
    dbus: () => (dbus ??= createDnsmasqDbus({address: c.dbus_address, name: c.dbus_name, timeoutMs: c.dbus_timeout_ms}, log)),
    queue: createLeaseQueue(c.queue_dir),
    replication: createReplicationMarks(config.state.dir),
    replicator: createReplicatorPid(config.state.dir),
    received: createLeaseEchoRecord(config.state.dir),
    lock: (name, timeoutMs) => acquireLock(`${config.state.dir}/${name}`, timeoutMs),
    close: () => dbus?.close(),
  }
}

/** The lease adapters with a fresh exec (the lease commands and hot paths). */
export function realLeaseDeps(config: Config, log: Logger): LeaseDeps {
  return createLeaseDeps(config, createExec(log), log)
}

/** The lease file reader (`leases show`). */
export {readLeaseBytes} from '../adapters/lease-store.js'

/** The replicator over a held ssh channel to the peer (the daemon's service, and `leases replicate`). */
export function startLeaseReplication(config: Config, log: Logger, opts: {pollMs?: number} = {}): {stop(): Promise<void>; channel: {masterPid(): number | undefined}} {
  const deps = createLeaseDeps(config, createExec(log), log)
  switchQueueOff(deps, process.env[LEASE_QUEUE_TEST_ENV], log)
  const channel = createSshChannel(peerTarget(config), join(config.state.dir, 'lease-ssh.ctl'), log)
  const rep = startReplicator({...deps, peer: channel}, opts)
  return {
    channel,
    stop: async () => {
      await rep.stop()
      await channel.close()
      deps.close()
    },
  }
}

/** The daemon's watch of dnsmasq's lease file (not with dnsmasq.leasefile_ro: dnsmasq writes no file then). */
export function startLeaseFileWatch(config: Config, log: Logger): LeaseWatch {
  const deps = createLeaseDeps(config, createExec(log), log)
  return startLeaseWatch({...deps, file: createLeaseFileSource(config.dnsmasq.leases), store: createLeaseWatchStore(config.state.dir)})
}

/**
 * Test-only: HA_TOOL_TEST_LEASE_QUEUE in the daemon's environment switches the persisted queue
 * off, so that the lab proves it matters (test/integration/leases/replication.test.ts fails then):
 * `let-go-early` deletes a batch as soon as the replicator reads it, before the peer has it;
 * `forget-on-start` drops what is queued when the replicator starts (a queue not replayed after a
 * restart, as one kept in memory would be).
 */
export const LEASE_QUEUE_TEST_ENV = 'HA_TOOL_TEST_LEASE_QUEUE'

function switchQueueOff(deps: LeaseDeps, mode: string | undefined, log: Logger): void {
  if (mode === undefined || mode === '') return
  log.warn({[LEASE_QUEUE_TEST_ENV]: mode}, 'test flag: the lease queue is switched off; changes will be lost')
  const queue = deps.queue
  if (mode === 'forget-on-start') queue.remove(queue.list().map((i) => i.id))
  else if (mode === 'let-go-early') {
    deps.queue = {...queue, list: () => {
      const items = queue.list()
      queue.remove(items.map((i) => i.id))
      return items
    }}
  } else throw new Error(`${LEASE_QUEUE_TEST_ENV}=${mode}: expected let-go-early or forget-on-start`)
}
