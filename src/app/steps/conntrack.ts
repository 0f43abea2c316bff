import type {ConntrackdClient, Peer} from '../../ports.js'
import {CONNTRACKD_ACTIONS, type ConntrackdAction} from '../../core/conntrack/actions.js'
import {COMMIT_STEPS, flushBlockedAfterCommit} from '../../core/conntrack/config.js'
import {type FlowRecord, parseFlowRecord} from '../../core/conntrack/flows.js'
import {type ConntrackPlanInfo, type ConntrackSlots, type ConntrackStepKind, conntrackSteps} from '../../core/conntrack/plan.js'
import {judgeCommit, parseCommitLog} from '../../core/conntrack/verify.js'
import {HaError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import type {Config} from '../../config/schema.js'
import type {Role, StepOf} from '../../core/transition/types.js'
import {checkFailbackSync} from '../conntrack-sync.js'
import type {ExecutorsFor, StepExecutor} from './types.js'

/** Where the executors get conntrackd from: the real CLI, or a fake in test/app. */
export type ConntrackBackend = {
  client(): ConntrackdClient
  /** The MASTER's flow records, over the peer port (`ha-tool peer flows` there). */
  peerFlows(): (() => Promise<FlowRecord[]>) | undefined
  /** This node's kernel table (`conntrack -L`). */
  kernelFlows(): Promise<string>
  sleep(ms: number): Promise<void>
  mono(): number
}

/** How to reach conntrackd here (resolved once from [conntrackd]); the peer is reached through [peer]. */
export type ConntrackdSettings = {binary: string; config: string; timeoutMs: number}

export function conntrackdSettings(config: Config): ConntrackdSettings {
  const c = config.conntrackd
  return {binary: c.binary, config: c.config, timeoutMs: c.timeout_ms}
}

/** `ha-tool peer flows` on the other node, record by record as they arrive. */
export async function readPeerFlows(peer: Pick<Peer, 'stream'>, onRole?: (role: string) => void): Promise<FlowRecord[]> {
  const records: FlowRecord[] = []
  const r = await peer.stream(['peer', 'flows'], (line) => {
    const rec = parseFlowRecord(line)
    if (rec) records.push(rec)
    else if (line.startsWith('R\t')) onRole?.(line.slice(2))
  })
  // Exit 1, not 69: the peer answered (an unreachable peer is the port's own 69).
  if (r.code !== 0) throw new HaError(`ha-tool peer flows on the peer: exit ${r.code}${r.stderr ? `: ${r.stderr.split('\n').filter(Boolean).pop()}` : ''}`, ExitCode.FAILED)
  return records
}

/** What the planner needs to know about conntrackd (reads conntrackd.conf when enabled). */
export function conntrackPlanInfo(config: Config, client?: ConntrackdClient): ConntrackPlanInfo {
  const cfg = config.conntrackd
  const info: ConntrackPlanInfo = {
    enabled: cfg.enabled,
    startOnBackup: cfg.start_on_backup,
    verifyFailback: cfg.verify_failback,
    commitTimeoutMs: cfg.commit_timeout_ms,
    startCommand: cfg.start_command,
    startTimeoutMs: cfg.timeout_ms,
    verifyTimeoutMs: cfg.verify_timeout_ms,
    syncTolerancePercent: cfg.sync_tolerance_percent,
  }
  if (!cfg.enabled || !client) return info
  try {
    info.conf = client.conf()
  } catch {
    // Unreadable: plan the primary-backup.sh sequence anyway; each step then reports the cause.
  }
  return info
}

const ms = (n: number) => `${Math.round(n)} ms`

/**
 * The step executors for the conntrackd plan steps (core/conntrack/plan.ts). A step whose
 * command is a no-op in this conntrackd.conf is not run, and its detail says why.
 */
export function makeConntrackExecutors(backend: ConntrackBackend): ExecutorsFor<ConntrackStepKind> {
  type Plain = 'conntrackd.resync-kernel' | 'conntrackd.bulk-send' | 'conntrackd.purge' | 'conntrackd.request-resync'
  const plain = <K extends Plain>(action: ConntrackdAction, after?: (c: ConntrackdClient, log: string | undefined) => string | undefined): StepExecutor<K> => async ({args: a}: StepOf<Plain>) => {
    if (a.noop) return {skipped: true, detail: a.noop}
    const c = backend.client()
    const offset = c.logOffset()
    const r = await c.request(action)
    const log = offset === undefined ? undefined : c.logSince(offset)
    const extra = after?.(c, log)
    return {detail: `${CONNTRACKD_ACTIONS[action].what} (${ms(r.durationMs)})${extra ? `; ${extra}` : ''}`}
  }

  const commit: StepExecutor<'conntrackd.commit'> = async ({args: a}, {log: logger}) => {
    if (a.noop) return {skipped: true, detail: a.noop}
    const c = backend.client()
    // `-c` exits 0 even when conntrackd skipped it: collect the evidence around it. With a LogFile
    // the log has the exact count, so the `-s` (one more process while clients wait) is skipped.
    const offset = c.logOffset()
    const before = offset === undefined ? await c.stats() : undefined
    const kernelBefore = c.kernelCount()
    const r = await c.request('commit', {timeoutMs: a.timeoutMs})
    const kernelAfter = c.kernelCount()
    const logText = offset === undefined ? undefined : c.logSince(offset)
    const log = logText === undefined ? undefined : parseCommitLog(logText)
    // A log without the commit's lines (conntrackd logging elsewhere): fall back to counts; a
    // commit leaves the external cache as it was, so reading it now is as good as before.
    const cache = before ?? (log && log.committed === undefined && !log.skipped ? await c.stats() : undefined)
    const verdict = judgeCommit({
      externalBefore: cache?.externalInject ? undefined : cache?.external?.active,
      kernelBefore,
      kernelAfter,
      log: log?.committed === undefined && !log?.skipped ? undefined : log,
    })
    logger.info({verdict: verdict.how, committed: verdict.committed, ms: Math.round(r.durationMs)}, `conntrackd -c: ${verdict.message}`)
    if (!verdict.ok) throw new HaError(`conntrackd -c: ${verdict.message}`, ExitCode.FAILED, {kind: 'commit-unconfirmed'})
    return {detail: `${verdict.message} (${ms(r.durationMs)})`}
  }

  const flush: StepExecutor<'conntrackd.flush'> = async ({args: a}) => {
    if (a.noop) return {skipped: true, detail: a.noop}
    const c = backend.client()
    const offset = c.logOffset()
    const r = await c.request('flush')
    const log = offset === undefined ? undefined : c.logSince(offset)
    if (!log || !/ignoring flush command, commit still in progress/.test(log)) return {detail: `${CONNTRACKD_ACTIONS.flush.what} (${ms(r.durationMs)})`}
    // conntrackd exited 0 but did nothing. The internal cache can still be flushed (that request
    // does not check the stuck commit marker), so -R starts from a clean cache; the external one cannot.
    await c.request('flush-internal')
    let cause = 'a commit is still in progress'
    try {
      const conf = c.conf()
      if (flushBlockedAfterCommit(conf)) cause = `conntrackd bug with HashSize ${conf.hashSize} <= ${COMMIT_STEPS}: a one-pass commit never clears its in-progress marker; set HashSize 16384 or more in ${c.configPath} and restart conntrackd`
    } catch { /* keep the generic cause */ }
    throw new HaError(`conntrackd -f: ignored by conntrackd (it still exits 0): ${cause}; flushed the internal cache only (-f internal), the external cache keeps stale entries`, ExitCode.FAILED, {kind: 'flush-ignored'})
  }

  const start: StepExecutor<'conntrackd.start'> = async ({args: a}) => {
    const c = backend.client()
    if (await c.isRunning()) return {detail: 'conntrackd already running'}
    const {staleLockRemoved} = await c.start(a.command, a.timeoutMs)
    return {detail: `started conntrackd${staleLockRemoved ? ' (removed the stale lock file of an unclean stop)' : ''}`}
  }

  const verifySync: StepExecutor<'conntrackd.verify-sync'> = async ({args: a}) => {
    if (a.noop) return {skipped: true, detail: a.noop}
    const report = await checkFailbackSync(
      {client: backend.client(), peerFlows: backend.peerFlows(), kernelFlows: () => backend.kernelFlows(), sleep: backend.sleep, mono: backend.mono},
      {waitMs: a.waitMs, tolerancePercent: a.tolerancePercent},
    )
    if (report.state === 'behind') throw new HaError(`failback resync incomplete: ${report.message}`, ExitCode.FAILED, {kind: 'resync-incomplete', hint: 'check the sync link and `conntrackd -s` on both nodes; ha-tool resync --role backup retries'})
    if (report.state === 'unavailable') throw new HaError(`failback check: ${report.message}`, ExitCode.UNAVAILABLE)
    return {detail: report.message}
  }

  return {
    'conntrackd.commit': commit,
    'conntrackd.flush': flush,
    'conntrackd.resync-kernel': plain('resync-kernel'),
    'conntrackd.bulk-send': plain('bulk-send'),
    'conntrackd.start': start,
    'conntrackd.purge': plain('purge', (c) => {
      let seconds: number | undefined
      try { seconds = c.conf().purgeTimeout } catch { /* reported by the request itself */ }
      return seconds === undefined ? undefined : `kernel-table flush scheduled in ${seconds} s (PurgeTimeout), unless a commit cancels it`
    }),
    'conntrackd.request-resync': plain('request-resync'),
    'conntrackd.verify-sync': verifySync,
  }
}

/**
 * The conntrackd part of a transition, ready for the planner's slots: `plan(role)` reads
 * conntrackd.conf (for its mode) and returns the steps; `executors` run them.
 */
export function conntrackTransition(config: Config, backend: ConntrackBackend): {plan(role: Role): ConntrackSlots; executors: ExecutorsFor<ConntrackStepKind>} {
  return {
    plan: (role) => conntrackSteps(role, conntrackPlanInfo(config, backend.client())),
    executors: makeConntrackExecutors(backend),
  }
}
