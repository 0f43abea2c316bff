import {createHealthDeps} from '../../wiring/health.js'
import {fileExists, writeStderrLine} from '../../wiring/cli.js'
import {checkDefaults, type CheckFlags, resolveCheckSettings} from '../../app/health-settings.js'
import {type CheckReport, runCheck} from '../../app/run-check.js'
import {ExitCode} from '../../core/exit-codes.js'
import {createCancel} from '../../core/health/cancel.js'
import {TARGET_FORMS} from '../../core/health/targets.js'
import type {FlagSpecs} from '../flag-spec.js'
import type {CommandSpec} from '../command.js'
import type {Invocation, Outcome} from '../outcome.js'
import {renderCheck} from '../render/check.js'

export const CHECK_FLAGS = {
  target: {type: 'string', char: 't', multiple: true, helpValue: 'TARGET', description: `a target to probe (repeatable; replaces health.targets): ${TARGET_FORMS}`},
  'min-ok': {type: 'integer', min: 1, helpValue: 'N', description: 'healthy when at least N targets answer [default: health.min_ok, 1]'},
  timeout: {type: 'integer', min: 10, max: 600000, helpValue: 'MS', description: 'overall deadline of the run; keep it under keepalived\'s vrrp_script timeout [default: health.timeout_ms, 800]'},
  'probe-timeout': {type: 'integer', min: 1, max: 600000, helpValue: 'MS', description: 'how long one probe may take [default: health.probe_timeout_ms, else --timeout]'},
  interval: {type: 'integer', min: 100, max: 3600000, helpValue: 'MS', description: 'the vrrp_script interval this runs at; --timeout must be shorter [default: health.interval_ms, 1000]'},
  via: {type: 'string', options: ['auto', 'wan', 'main'], description: 'wan: probe out of this node\'s WAN, only on the MASTER (a BACKUP answers "standby", healthy); main: through the routing tables; auto: wan when wan.interface is configured [default: health.via, auto]'},
  'http-status': {type: 'string', helpValue: 'LO-HI', description: 'HTTP(S) statuses counted as healthy [default: health.http_status, 200-399]'},
} as const satisfies FlagSpecs

/**
 * `ha-tool check`'s body. Targets may come from flags
 * alone: without a config file (at the default path) the built-in defaults apply and probes
 * go through the routing tables. The one-line reason goes to stderr; --json prints the report.
 */
export async function runCheckCommand(inv: Invocation): Promise<Outcome<CheckReport>> {
  const f = inv.flags
  const explicitConfig = f.config !== undefined || Boolean(process.env.HA_TOOL_CONFIG)
  const loaded = explicitConfig || fileExists(inv.ctx.configPath) ? inv.ctx.config() : undefined
  const config = loaded?.config ?? checkDefaults()
  const settings = resolveCheckSettings(f as CheckFlags, config, loaded?.path)

  const stop = createCancel()
  const onTerm = () => stop.cancel()
  process.once('SIGTERM', onTerm)
  process.once('SIGINT', onTerm)
  try {
    // No role recorded yet: ask keepalived over D-Bus before applying the unknown-role rule.
    const dbus = config.keepalived?.dbus ? {instance: config.keepalived.instance, timeoutMs: config.wan.dbus_timeout_ms} : undefined
    const report = await runCheck(settings, createHealthDeps(settings.stateDir, undefined, dbus), stop)
    if (!inv.json) writeStderrLine(report.reason)
    return {result: report, exit: report.healthy ? ExitCode.OK : ExitCode.FAILED}
  } finally {
    process.removeListener('SIGTERM', onTerm)
    process.removeListener('SIGINT', onTerm)
  }
}

export const checkCommand: CommandSpec<CheckReport> = {
  usage: 'ha-tool check [--target TARGET ...] [--min-ok N] [--timeout MS] [--via auto|wan|main] [--json]',
  flags: CHECK_FLAGS,
  exitAtOnce: true,
  render: renderCheck,
  run: async (inv) => {
    try {
      return await runCheckCommand(inv)
    } finally {
      // Never hang past the verdict (keepalived skips the next run while this one lives):
      // if a probe left a handle behind, exit anyway. unref: a clean exit is not delayed.
      setTimeout(() => process.exit(), 250).unref()
    }
  },
}
