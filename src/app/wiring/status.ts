import {hostname} from 'node:os'
import {createConntrackd} from '../../adapters/conntrackd.js'
import type {Exec} from '../../adapters/exec.js'
import {readHealthStatusFile, readMaintenanceFlag, readTrackFile} from '../../adapters/health-files.js'
import {processAlive} from './health.js'
import {gateFilePath, readGateFile} from '../../adapters/gate-file.js'
import {createIpRoute} from '../../adapters/iproute.js'
import {readKeepalivedInstances} from '../../adapters/keepalived-dbus.js'
import {createRootedFs} from '../../adapters/rooted-fs.js'
import {createWanSilence} from '../../adapters/wan-silence.js'
import type {Config} from '../../config/schema.js'
import {readHealthView} from '../health-status.js'
import {countLeases, type StatusDeps, stateFromFs} from '../status.js'

/** The real adapters behind `status` (the composition root). */
export function createStatusDeps(config: Config, exec: Exec): StatusDeps {
  const fs = createRootedFs('/')
  const ip = createIpRoute(exec)
  const silence = createWanSilence(exec)
  return {
    config,
    hostname: hostname(),
    now: () => Date.now(),
    keepalivedInstances: () => readKeepalivedInstances({timeoutMs: config.wan.dbus_timeout_ms}),
    stateFile: () => stateFromFs(fs, config.state.dir),
    wan: async () => {
      const [snapshot, silenced] = await Promise.all([
        ip.readWan(config.wan.interface, config.wan.table, config.wan.rule_priority),
        silence.isApplied(config.wan.interface).catch(() => null),
      ])
      return {snapshot, silenced}
    },
    conntrackd: () => createConntrackd({exec, binary: config.conntrackd.binary, config: config.conntrackd.config, timeoutMs: config.conntrackd.timeout_ms}).stats(),
    leases: () => {
      const text = fs.read(config.dnsmasq.leases)
      const st = fs.stat(config.dnsmasq.leases)
      return text === undefined || !st ? undefined : {count: countLeases(text), mtimeMs: st.mtimeMs}
    },
    failbackGate: () => {
      const g = readGateFile(gateFilePath(config.state.dir))
      return g ? {state: g, running: processAlive(g.pid)} : undefined
    },
    health: () => readHealthView(config, {readMaintenance: readMaintenanceFlag, readTrack: readTrackFile, readStatus: readHealthStatusFile, alive: processAlive}),
  }
}
