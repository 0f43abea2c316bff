import {processAlive} from '../adapters/process-info.js'
import {monoMs} from '../adapters/clock.js'
import type {HealthMonitorDeps} from '../app/health-monitor.js'
import type {HealthViewDeps} from '../app/health-status.js'
import type {MaintenanceDeps} from '../app/maintenance.js'
import type {Role} from '../core/transition/types.js'
import {clearMaintenanceFlag, readHealthStatusFile, readMaintenanceFlag, readTrackFile, writeHealthStatusFile, writeMaintenanceFlag, writeTrackFile} from '../adapters/health-files.js'
import {createIcmpStreams} from '../adapters/probes/icmp-stream.js'
import {createProber} from '../adapters/probes/index.js'
import {readStateFile, stateFilePath} from '../adapters/state-file.js'
import {readWanAddresses} from '../adapters/wan-address.js'
import {readGateFile} from '../adapters/gate-file.js'
import {readKeepalivedInstances} from '../adapters/keepalived-dbus.js'
import {pickInstanceRole} from '../core/keepalived/pick-role.js'

/**
 * The real adapters behind `check` and the daemon's health monitor. The daemon may pass
 * `role` (the role it last applied); otherwise it is read from <state.dir>/state.json.
 */
export function createHealthDeps(stateDir: string, role?: () => Role | undefined, dbus?: {instance: string; timeoutMs: number}): HealthMonitorDeps {
  return {
    probe: createProber(),
    // Only when nothing is recorded (rare: before the first transition), so dbus-next loads lazily then.
    ...(dbus ? {keepalivedRole: async () => pickInstanceRole(await readKeepalivedInstances({timeoutMs: dbus.timeoutMs}), dbus.instance)} : {}),
    role: role ? () => ({role: role(), source: 'the daemon'}) : () => ({role: readStateFile(stateDir)?.role, source: stateFilePath(stateDir)}),
    wanAddresses: readWanAddresses,
    mono: monoMs,
    now: () => Date.now(),
    readMaintenance: readMaintenanceFlag,
    writeTrack: writeTrackFile,
    writeStatus: writeHealthStatusFile,
  }
}

/**
 * The daemon monitor's adapters: as createHealthDeps, but ICMP targets are probed through
 * long-running ping streams (see probes/icmp-stream.ts), ended after cycles that no longer
 * use them and at stop.
 */
export function createMonitorDeps(stateDir: string, intervalMs: number, role?: () => Role | undefined, dbus?: {instance: string; timeoutMs: number}): HealthMonitorDeps & {icmpPids(): number[]} {
  const base = createHealthDeps(stateDir, role, dbus)
  const streams = createIcmpStreams(intervalMs)
  return {
    ...base,
    probe: (target, opts) => (target.kind === 'icmp' ? streams.probe(target, opts) : base.probe(target, opts)),
    endCycle: () => streams.sweep(),
    close: () => streams.close(),
    icmpPids: () => streams.pids(),
  }
}

/** The real adapters behind `maintenance on|off` and the health part of `status`. */
export function createMaintenanceDeps(): MaintenanceDeps & HealthViewDeps {
  return {
    now: () => Date.now(),
    readMaintenance: readMaintenanceFlag,
    writeMaintenance: writeMaintenanceFlag,
    clearMaintenance: clearMaintenanceFlag,
    writeTrack: writeTrackFile,
    readTrack: readTrackFile,
    readStatus: readHealthStatusFile,
    alive: processAlive,
    readGate: readGateFile,
  }
}
