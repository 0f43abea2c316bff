import type {ConntrackdClient, Lock, Logger} from '../ports.js'
import {type ConntrackStepKind, conntrackSteps} from '../core/conntrack/plan.js'
import {errorLine, exitOf, HaError, usageError} from '../core/errors.js'
import {ExitCode, type ExitCodeValue} from '../core/exit-codes.js'
import type {Role, StateFile, StepOutcome} from '../core/transition/types.js'
import {conntrackPlanInfo} from './steps/conntrack.js'
import type {Config} from '../config/schema.js'
import {type ExecutorsFor, runStep} from './steps/types.js'

export type ResyncRoleFlag = 'master' | 'backup' | 'fault'

export type ResyncDeps = {
  config: Config
  log: Logger
  executors: ExecutorsFor<ConntrackStepKind>
  client: ConntrackdClient
  /** The state file's text, or undefined when there is none. */
  readState(path: string): string | undefined
  lock(path: string, timeoutMs: number): Promise<Lock>
  /** Monotonic ms, for step durations. */
  mono(): number
}

export type ResyncResult = {
  role: Role
  /** Where the role came from: --role, or the state file of the last transition. */
  roleFrom: 'flag' | 'state-file'
  stateFile: string
  conntrackdConfig: string
  mode?: string
  externalCache?: boolean
  /** conntrackd.conf settings conntrackd refuses or ignores, or that defeat these steps. */
  warnings: string[]
  steps: StepOutcome[]
  exit: ExitCodeValue
}

const LOCK_TIMEOUT_MS = 5000

/**
 * `ha-tool resync`: the primary-backup.sh sequence for this node's role, by hand, with the same
 * steps and executors a transition uses, under the transition lock so the two never interleave
 * (a `-f` during a `-c` is silently ignored by conntrackd).
 */
export async function runResync(deps: ResyncDeps, opts: {role?: ResyncRoleFlag}): Promise<{result: ResyncResult; exit: ExitCodeValue}> {
  const stateFile = `${deps.config.state.dir}/state.json`
  const {role, roleFrom} = resolveRole(deps, opts.role, stateFile)
  // By hand it runs whether or not transitions drive conntrackd (conntrackd.enabled).
  const info = conntrackPlanInfo({...deps.config, conntrackd: {...deps.config.conntrackd, enabled: true}}, deps.client)
  const slots = conntrackSteps(role, info)
  const steps = [...slots.beforeWan, ...slots.afterWan]

  const outcomes: StepOutcome[] = []
  let abort: HaError | undefined
  const lock = await deps.lock(`${deps.config.state.dir}/lock`, LOCK_TIMEOUT_MS)
  try {
    for (const step of steps) {
      if (abort) {
        outcomes.push({kind: step.kind, why: step.why, status: 'skipped', durationMs: 0, detail: `not run: ${abort.message}`})
        continue
      }
      const started = deps.mono()
      try {
        const r = await runStep(deps.executors, step, {log: deps.log})
        const detail = r?.detail
        const skipped = Boolean(r && r.skipped) || step.args.noop !== undefined
        outcomes.push({kind: step.kind, why: step.why, status: skipped ? 'skipped' : 'ok', durationMs: elapsed(deps, started), ...(detail ? {detail} : {})})
      } catch (error) {
        outcomes.push({kind: step.kind, why: step.why, status: 'failed', durationMs: elapsed(deps, started), error: errorLine(error)})
        deps.log.warn({step: step.kind, err: errorLine(error)}, 'resync step failed')
        const code = exitOf(error)
        // conntrackd unreachable or its config unusable: every later step would fail the same way.
        if ((code === ExitCode.UNAVAILABLE || code === ExitCode.CONFIG) && step.kind !== 'conntrackd.verify-sync') abort = error as HaError
      }
    }
  } finally {
    await lock.release()
  }

  const failed = outcomes.filter((o) => o.status === 'failed').length
  const ok = outcomes.filter((o) => o.status === 'ok').length
  const exit: ExitCodeValue = abort ? abort.exit : failed === 0 ? ExitCode.OK : ok > 0 ? ExitCode.PARTIAL : ExitCode.FAILED
  let conf: {mode?: string; externalCache?: boolean} = {}
  if (info.conf) conf = {mode: info.conf.kind === 'stats' ? 'stats-only' : info.conf.mode, externalCache: info.conf.externalCache}
  const result: ResyncResult = {role, roleFrom, stateFile, conntrackdConfig: deps.client.configPath, ...conf, warnings: deps.client.confProblems(), steps: outcomes, exit}
  return {result, exit}
}

function resolveRole(deps: ResyncDeps, flag: ResyncRoleFlag | undefined, stateFile: string): {role: Role; roleFrom: ResyncResult['roleFrom']} {
  if (flag) return {role: flag.toUpperCase() as Role, roleFrom: 'flag'}
  const hint = 'pass --role master|backup|fault'
  const text = deps.readState(stateFile)
  if (text === undefined) throw usageError(`no role to resync for: ${stateFile} does not exist (no transition has run on this node)`, hint)
  let state: Partial<StateFile>
  try {
    state = JSON.parse(text) as Partial<StateFile>
  } catch {
    throw new HaError(`${stateFile}: not valid JSON, cannot tell this node's role`, ExitCode.FAILED, {hint})
  }
  if (state.role !== 'MASTER' && state.role !== 'BACKUP' && state.role !== 'FAULT' && state.role !== 'STOP') {
    throw new HaError(`${stateFile}: no valid role in it (found ${JSON.stringify(state.role)})`, ExitCode.FAILED, {hint})
  }
  return {role: state.role, roleFrom: 'state-file'}
}

const elapsed = (deps: ResyncDeps, started: number) => Math.round((deps.mono() - started) * 10) / 10
