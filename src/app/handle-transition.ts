import type {IpRoute, Lock, Logger, WanSilence} from '../ports.js'
import type {Config} from '../config/schema.js'
import {errorLine} from '../core/errors.js'
import {ExitCode, type ExitCodeValue} from '../core/exit-codes.js'
import {type OrderKey, spawnedBefore} from '../core/transition/order.js'
import {lanPrefixConfig} from '../core/transition/lan-prefix.js'
import {planTransition, type PlanSlots} from '../core/transition/plan.js'
import {type ObservedWan, type Role, type StateFile, type Step, type StepOutcome, WAN_NEUTRAL_STEPS} from '../core/transition/types.js'
import {deferredLogger} from './deferred-log.js'
import {runStep, type StepExecutors} from './steps/types.js'

const HISTORY = 20

export type TransitionDeps = {
  config: Config
  log: Logger
  ip: IpRoute
  silence: WanSilence
  executors: StepExecutors
  lock(): Promise<Lock>
  readState(): StateFile | undefined
  writeState(state: StateFile): void
  /** Steps of other capabilities (conntrackd, dnsmasq) for the plan's slots. */
  slots(role: Role, previousRole: Role | undefined): Promise<PlanSlots>
  now(): number
  mono(): number
  pidMax: number
  /** The daemon's cached view of the WAN (wan-observer.ts); without it every transition reads the kernel. */
  observer?: {get(): Promise<ObservedWan>; invalidate(): void}
}

export type TransitionRequest = {
  role: Role
  source: string
  instance: string
  order?: OrderKey
  /** The watchdog's STOP after keepalived died: also release the VIPs keepalived left behind. */
  releaseVips?: boolean
}

export type TransitionResult = {
  role: Role
  source: string
  instance: string
  /** false when a later keepalived event was already applied (script mode), so this one did nothing. */
  applied: boolean
  previousRole?: Role
  observed?: ObservedWan
  plan: Array<Pick<Step, 'kind' | 'why'>>
  steps: StepOutcome[]
  durationMs: number
  exit: ExitCodeValue
}

/** A transition and its plan's detached steps (checks), started once the lock was released: not in `steps` nor the state file. */
export type TransitionRun = TransitionResult & {followUp?: Promise<StepOutcome[]>}

/**
 * Converges this node to a role: under the node's lock, drop the request if a later event
 * already won, observe the WAN, plan the difference, log the plan, apply it step by step,
 * and record the result in the state file. Running it twice changes nothing the second time.
 */
export async function handleTransition(deps: TransitionDeps, req: TransitionRequest): Promise<TransitionRun> {
  let detached: Step[] = []
  const result = await underLock(deps, req, (steps) => { detached = steps })
  if (detached.length === 0) return result
  // A check, not a change: the lock is free again, so a take-over that comes now does not wait for it.
  const followUp = execute(deps, detached).then((outcomes) => {
    logFailed(deps.log, outcomes)
    deps.log.info({role: req.role, steps: outcomes.map((o) => `${o.kind}: ${o.status}${o.detail ? ` (${o.detail})` : ''}`)}, 'after the transition')
    return outcomes
  })
  return {...result, followUp}
}

async function underLock(deps: TransitionDeps, req: TransitionRequest, detach: (steps: Step[]) => void): Promise<TransitionResult> {
  const {config, log} = deps
  const lock = await deps.lock()
  const started = deps.mono()
  const startedAt = deps.now()
  try {
    const prev = deps.readState()
    if (req.order && prev?.order && spawnedBefore(req.order, prev.order, deps.pidMax)) {
      log.info({role: req.role, order: req.order, applied: prev.order, appliedRole: prev.role}, 'superseded: a later keepalived event was already applied')
      return {role: req.role, source: req.source, instance: req.instance, applied: false, previousRole: prev.role, plan: [], steps: [], durationMs: deps.mono() - started, exit: ExitCode.OK}
    }

    const observed = deps.observer ? await deps.observer.get() : await readObserved(deps)
    // Slot steps are role-change actions: don't even ask for them (they read conntrackd.conf) otherwise.
    const slots = prev?.role !== req.role ? await deps.slots(req.role, prev?.role) : {}
    const planned = planTransition({role: req.role, previousRole: prev?.role, wan: config.wan, observed, slots, releaseVips: req.releaseVips && req.role !== 'MASTER' ? {config: config.keepalived.config} : undefined, lan6: lanPrefixConfig(config)})
    const plan = planned.filter((s) => !s.detached)
    detach(planned.filter((s) => s.detached))
    // Apply first, log after: the first enabled log line loads pino (~20 ms), and a BACKUP's rule
    // must not wait for that (nor for a slow log.file). What the steps log waits too.
    const stepLog = deferredLogger(log)
    let steps: StepOutcome[]
    try {
      steps = await execute({...deps, log: stepLog}, plan)
    } finally {
      stepLog.flush()
    }
    if (planned.length > 0) log.info({role: req.role, from: prev?.role, source: req.source, plan: planned.map((s) => `${s.detached ? '(after the transition, outside the lock) ' : s.concurrent ? '(with the step before) ' : ''}${s.kind}: ${s.why}`)}, 'transition plan')
    else log.debug({role: req.role}, 'already converged')
    logFailed(log, steps)
    // Only a step that changed the WAN makes the cached view stale (its kernel events re-read it
    // later); the rest must not leave the next transition, often the take-over, to read the kernel.
    if (plan.some((s) => !WAN_NEUTRAL_STEPS.has(s.kind))) deps.observer?.invalidate()
    const failedCritical = steps.some((s, i) => s.status === 'failed' && plan[i].critical)
    const exit: ExitCodeValue = failedCritical ? ExitCode.FAILED : steps.some((s) => s.status === 'failed') ? ExitCode.PARTIAL : ExitCode.OK
    const durationMs = deps.mono() - started

    const history = prev ? [{role: prev.role, source: prev.source, startedAt: prev.startedAt, durationMs: prev.finishedAt - prev.startedAt, exit: prev.exit}, ...prev.history].slice(0, HISTORY) : []
    // Only a real change (or a new role) pushes history; a converged re-run updates in place.
    const changed = steps.some((s) => s.status !== 'skipped') || prev?.role !== req.role
    deps.writeState({
      version: 1,
      role: req.role,
      // A converged re-run (a repeated hook, a reconcile that found nothing) keeps the record of the transition itself.
      source: changed ? req.source : prev!.source,
      instance: changed ? req.instance : prev!.instance,
      startedAt: changed ? startedAt : prev!.startedAt,
      finishedAt: changed ? deps.now() : prev!.finishedAt,
      order: req.order ?? prev?.order,
      exit: changed ? exit : prev!.exit,
      steps: changed ? steps : prev!.steps,
      history: changed ? history : prev!.history,
    })
    if (exit !== ExitCode.OK) log.warn({role: req.role, exit, failed: steps.filter((s) => s.status === 'failed').map((s) => `${s.kind}: ${s.error}`)}, 'transition incomplete')
    else if (plan.length > 0) log.info({role: req.role, ms: Math.round(durationMs * 10) / 10}, 'transition done')
    return {role: req.role, source: req.source, instance: req.instance, applied: true, previousRole: prev?.role, observed, plan: planned.map(({kind, why}) => ({kind, why})), steps, durationMs, exit}
  } finally {
    await lock.release()
  }
}

/** What the WAN looks like now: `ip` (rules, routes, link) and, when silence is in use, `nft`, in parallel. */
export async function readObserved(deps: Pick<TransitionDeps, 'config' | 'ip' | 'silence'>): Promise<ObservedWan> {
  const wan = deps.config.wan
  const checkSilence = wan.link === 'keep-up' && wan.silence === 'nftables'
  // Both reads at once: they are independent processes. nft first: it takes twice as long as ip.
  const [silenced, snap] = await Promise.all([
    checkSilence ? deps.silence.isApplied(wan.interface) : Promise.resolve(false),
    deps.ip.readWan(wan.interface, {table: wan.table, priority: wan.rule_priority, protocol: wan.rule_protocol}, wan.ipv6, lanPrefixConfig(deps.config)),
  ])
  return {...snap.observed, silenced}
}

/**
 * Runs the plan in order; a step marked `concurrent` starts with the one before it, and the next
 * unmarked step waits for the whole group. Outcomes keep the plan's order. A critical step that
 * failed skips everything after its group (the group's other members were already running).
 */
async function execute(deps: TransitionDeps, plan: Step[]): Promise<StepOutcome[]> {
  const out: StepOutcome[] = []
  let stopped: string | undefined
  let i = 0
  while (i < plan.length) {
    let end = i + 1
    while (end < plan.length && plan[end].concurrent) end++
    const group = plan.slice(i, end)
    i = end
    if (stopped) {
      for (const step of group) out.push({kind: step.kind, why: step.why, status: 'skipped', durationMs: 0, detail: `not run: ${stopped} failed`})
      continue
    }
    const outcomes = await Promise.all(group.map((step) => runOne(deps, step)))
    out.push(...outcomes)
    const failed = group.find((step, k) => step.critical && outcomes[k].status === 'failed')
    if (failed) stopped = failed.kind
  }
  return out
}

async function runOne(deps: TransitionDeps, step: Step): Promise<StepOutcome> {
  const t0 = deps.mono()
  try {
    const r = await runStep(deps.executors, step, {log: deps.log})
    return {kind: step.kind, why: step.why, status: r && r.skipped ? 'skipped' : 'ok', durationMs: round(deps.mono() - t0), ...(r && r.detail ? {detail: r.detail} : {})}
  } catch (error) {
    return {kind: step.kind, why: step.why, status: 'failed', durationMs: round(deps.mono() - t0), error: errorLine(error)}
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100

/** One error line per failed step, the transition's own and its detached checks alike. */
function logFailed(log: TransitionDeps['log'], outcomes: readonly StepOutcome[]): void {
  for (const o of outcomes) if (o.status === 'failed') log.error({step: o.kind, error: o.error}, `step failed: ${o.why}`)
}
