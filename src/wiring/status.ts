import {hostname} from 'node:os'
import {createConntrackd} from '../adapters/conntrackd.js'
import type {Exec} from '../adapters/exec.js'
import {readHealthStatusFile, readMaintenanceFlag, readTrackFile} from '../adapters/health-files.js'
import {processAlive} from '../adapters/process-info.js'
import {createIpRoute} from '../adapters/iproute.js'
import {readKeepalivedInstances} from '../adapters/keepalived-dbus.js'
import {createLeaseQueue} from '../adapters/lease-store.js'
import {createReplicationMarks} from '../adapters/replication-marks.js'
import {createLeaseWatchStore} from '../adapters/lease-file-watch.js'
import {createRootedFs} from '../adapters/rooted-fs.js'
import {createWanSilence} from '../adapters/wan-silence.js'
import type {Config} from '../config/schema.js'
import {readHealthView} from '../app/health-status.js'
import {countLeases, peerStatus, type PairStatus, type StatusDeps, stateFromFs} from '../app/status.js'
import {createExec} from '../adapters/exec.js'
import type {Logger} from '../adapters/log.js'
import {gateFilePath, readGateFile} from '../adapters/gate-file.js'
import {peerFromConfig} from '../adapters/peer.js'

/** The real adapters behind `status` (the composition root). */
export function createStatusDeps(config: Config, exec: Exec): StatusDeps {
  const fs = createRootedFs('/')
  const ip = createIpRoute(exec)
  const silence = createWanSilence(exec)
  const marks = createReplicationMarks(config.state.dir)
  return {
    config,
    hostname: hostname(),
    now: () => Date.now(),
    keepalivedInstances: () => readKeepalivedInstances({timeoutMs: config.wan.dbus_timeout_ms}),
    stateFile: () => stateFromFs(fs, config.state.dir),
    wan: async () => {
      const [snapshot, silenced, delegated6] = await Promise.all([
        ip.readWan(config.wan.interface, {table: config.wan.table, priority: config.wan.rule_priority, protocol: config.wan.rule_protocol}, config.wan.ipv6),
        silence.isApplied(config.wan.interface).catch(() => null),
        config.wan.ipv6 ? ip.delegatedPrefixes().catch(() => []) : [],
      ])
      return {snapshot, silenced, delegated6}
    },
    conntrackd: () => createConntrackd({exec, binary: config.conntrackd.binary, config: config.conntrackd.config, timeoutMs: config.conntrackd.timeout_ms}).stats(),
    leases: () => {
      const text = fs.read(config.dnsmasq.leases)
      const st = fs.stat(config.dnsmasq.leases)
      return text === undefined || !st ? undefined : {count: countLeases(text), mtimeMs: st.mtimeMs}
    },
    leaseSync: () => {
      const m = marks.read().fromPeer
      return m ? {at: m.at, ok: m.ok} : undefined
    },
    leaseReplication: () => ({marks: marks.read(), queue: createLeaseQueue(config.dnsmasq.queue_dir).state(), watching: createLeaseWatchStore(config.state.dir).watching()}),
    failbackGate: () => {
      const g = readGateFile(gateFilePath(config.state.dir))
      return g ? {state: g, running: processAlive(g.pid)} : undefined
    },
    health: () => readHealthView(config, {readMaintenance: readMaintenanceFlag, readTrack: readTrackFile, readStatus: readHealthStatusFile, alive: processAlive}),
  }
}

/** `status`: this node's adapters, and the peer's status over the peer port. */
export function statusWiring(config: Config, log: Logger): {deps: StatusDeps; peer(): Promise<PairStatus['peer']>} {
  const exec = createExec(log)
  return {deps: createStatusDeps(config, exec), peer: () => peerStatus(peerFromConfig(config, log))}
}
