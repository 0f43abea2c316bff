import {type Config, SCHEMA} from '../config/schema.js'
import {configError, usageError} from '../core/errors.js'
import type {Via} from '../core/health/path.js'
import {parseStatusRange, parseTargets, type Target} from '../core/health/targets.js'

/** Everything one check run needs, from the config, overridden by flags. */
export type CheckSettings = {
  targets: Target[]
  minOk: number
  /** Overall deadline of the run. */
  timeoutMs: number
  /** Each probe's own timeout (never past the deadline). */
  probeTimeoutMs: number
  intervalMs: number
  via: Via
  wanInterface: string
  httpStatus: [number, number]
  stateDir: string
}

export type CheckFlags = {
  target?: string[]
  'min-ok'?: number
  timeout?: number
  'probe-timeout'?: number
  interval?: number
  via?: string
  'http-status'?: string
}

/**
 * Merges flags over the config (or the built-in defaults when there is no config file).
 * A problem is a usage error (exit 2) naming the flag when a flag caused it, else a config
 * error (exit 78) naming the key: the user learns which of the two to fix.
 */
/** The parts of the config a check reads. */
export type CheckConfig = Pick<Config, 'health' | 'wan' | 'state'> & Partial<Pick<Config, 'keepalived'>>

/** The built-in defaults of those parts, for `check` without a config file (no WAN interface is known). */
export function checkDefaults(): CheckConfig {
  const defaults = <S extends Record<string, {default: unknown}>>(section: S) =>
    Object.fromEntries(Object.entries(section).map(([k, spec]) => [k, structuredClone(spec.default)]))
  return {health: defaults(SCHEMA.health), wan: {...defaults(SCHEMA.wan), interface: ''}, state: defaults(SCHEMA.state)} as CheckConfig
}

export function resolveCheckSettings(flags: CheckFlags, config: CheckConfig, configFile: string | undefined, opts: {allowNoTargets?: boolean} = {}): CheckSettings {
  const h = config.health
  const key = (k: string) => `${configFile ? `${configFile}: ` : ''}health.${k}`
  const blame = (flag: keyof CheckFlags, k: string, why: string) =>
    flags[flag] !== undefined ? usageError(`--${flag}: ${why}`) : configError(`${key(k)}: ${why}`)

  const texts = flags.target && flags.target.length > 0 ? flags.target : h.targets
  const targets = parseTargets(texts)
  if ('error' in targets) throw flags.target?.length ? usageError(`--target ${targets.error}`) : configError(`${key('targets')}: ${targets.error}`)
  if (targets.length === 0 && !opts.allowNoTargets) {
    throw usageError(`no targets: pass --target HOST|URL or set health.targets in ${configFile ?? 'the config (none was read: pass --config PATH)'}`)
  }
  const status = parseStatusRange(flags['http-status'] ?? h.http_status)
  if ('error' in status) throw blame('http-status', 'http_status', `expected ${status.error}`)
  const minOk = flags['min-ok'] ?? h.min_ok
  if (targets.length > 0 && minOk > targets.length) {
    const which = flags['min-ok'] !== undefined ? 'min-ok' : flags.target?.length ? 'target' : undefined
    const why = `min_ok ${minOk} exceeds the ${targets.length} target${targets.length === 1 ? '' : 's'}: the check could never pass`
    throw which ? usageError(`--${which}: ${why}`) : configError(`${key('min_ok')}: ${why}`)
  }
  const timeoutMs = flags.timeout ?? h.timeout_ms
  const intervalMs = flags.interval ?? h.interval_ms
  if (timeoutMs >= intervalMs) {
    const why = `timeout ${timeoutMs} ms is not shorter than the interval ${intervalMs} ms (keepalived would kill or skip the check)`
    throw flags.timeout !== undefined ? usageError(`--timeout: ${why}`) : flags.interval !== undefined ? usageError(`--interval: ${why}`) : configError(`${key('timeout_ms')}: ${why}`)
  }
  const probeTimeout = flags['probe-timeout'] ?? h.probe_timeout_ms
  const via = (flags.via ?? h.via) as Via
  if (via === 'wan' && !config.wan.interface) throw blame('via', 'via', 'via wan needs wan.interface, and no config file names one')
  return {
    targets,
    minOk,
    timeoutMs,
    probeTimeoutMs: probeTimeout > 0 ? Math.min(probeTimeout, timeoutMs) : timeoutMs,
    intervalMs,
    via,
    wanInterface: config.wan.interface,
    httpStatus: status,
    stateDir: config.state.dir,
  }
}

/** The monitor's settings: the config's, checked the same way (errors name the key). */
export function monitorSettings(config: Config, configFile?: string): CheckSettings & {rise: number; fall: number} {
  // No targets is allowed here: the monitor then only carries the maintenance flag to keepalived.
  return {...resolveCheckSettings({}, config, configFile, {allowNoTargets: true}), rise: config.health.rise, fall: config.health.fall}
}

export const trackFilePath = (config: Config) => config.health.track_file || `${config.state.dir}/track`
export const maintenanceFilePath = (config: Config) => config.health.maintenance_file || `${config.state.dir}/maintenance`
export const healthStatusPath = (config: Config) => `${config.state.dir}/health.json`
