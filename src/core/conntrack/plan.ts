import type {Role, StepKind, StepOf} from '../transition/types.js'
import {CONNTRACKD_ACTIONS, type ConntrackdAction, noopReason} from './actions.js'
import type {ConntrackdConf} from './config.js'

export type ConntrackPlanInfo = {
  /** conntrackd.enabled: without it a transition plans no conntrackd step. */
  enabled: boolean
  /** The parsed conntrackd.conf; undefined when unreadable (then plan as primary-backup.sh does, blind). */
  conf?: ConntrackdConf
  /** BACKUP: start conntrackd when it is not running (conntrackd.start_on_backup). */
  startOnBackup: boolean
  /** BACKUP: after `-n`, check that the MASTER's flows arrived (conntrackd.verify_failback). */
  verifyFailback: boolean
  /** How long `conntrackd -c` may take (conntrackd.commit_timeout_ms). */
  commitTimeoutMs: number
  /** How BACKUP starts conntrackd ([] = <binary> -d -C <config>) and how long that may take. */
  startCommand: string[]
  startTimeoutMs: number
  /** BACKUP: how long to wait for the MASTER's flows, and how many may be missing (percent). */
  verifyTimeoutMs: number
  syncTolerancePercent: number
}

export const CONNTRACK_STEP_KINDS = [
  'conntrackd.commit', 'conntrackd.flush', 'conntrackd.resync-kernel', 'conntrackd.bulk-send',
  'conntrackd.start', 'conntrackd.purge', 'conntrackd.request-resync', 'conntrackd.verify-sync',
] as const satisfies readonly StepKind[]

export type ConntrackStepKind = (typeof CONNTRACK_STEP_KINDS)[number]
export type ConntrackStep = StepOf<ConntrackStepKind>
export type ConntrackSlots = {beforeWan: ConntrackStep[]; afterWan: ConntrackStep[]}

/** The conntrackd requests that are plan steps of their own, with no args beyond flag and noop. */
type PlainAction = 'flush' | 'resync-kernel' | 'bulk-send' | 'purge' | 'request-resync'

/**
 * conntrack-tools' primary-backup.sh as plan steps, in its order:
 * - MASTER: `-c` before the WAN opens (a flow's first packet must find its entry, or the
 *   kernel answers with a reset), then `-f`, `-R`, `-B` once the WAN is up.
 * - BACKUP: start conntrackd if needed, `-t` (purge zombie entries after PurgeTimeout), `-n`
 *   (a returning node holds nothing: ask the MASTER for everything), then check it arrived.
 * - FAULT: `-t`. STOP: nothing (primary-backup.sh has no stop; conntrackd keeps running so the
 *   node can resync when it is back).
 * Steps that do nothing in this conntrackd.conf stay in the plan with `noop` set, so the
 * report says so instead of claiming work. None is critical: losing the conntrack state
 * must never keep the node offline (a failed step makes the transition partial, exit 3).
 */
export function conntrackSteps(role: Role, info: ConntrackPlanInfo): ConntrackSlots {
  const slots: ConntrackSlots = {beforeWan: [], afterWan: []}
  if (!info.enabled) return slots
  const noop = (action: ConntrackdAction) => (info.conf ? noopReason(info.conf, action) : undefined)
  const base = (action: ConntrackdAction) => {
    const why = noop(action)
    return {flag: CONNTRACKD_ACTIONS[action].flag, ...(why ? {noop: why} : {})}
  }
  const step = <A extends PlainAction>(action: A, why: string) => ({kind: `conntrackd.${action}` as const, args: base(action), why, critical: false})
  switch (role) {
    case 'MASTER':
      slots.beforeWan.push({kind: 'conntrackd.commit', args: {...base('commit'), timeoutMs: info.commitTimeoutMs}, why: 'conntrackd -c: commit the peer\'s flows into the kernel before the WAN opens', critical: false})
      slots.afterWan.push(
        step('flush', 'conntrackd -f: flush the caches, the kernel table is now authoritative'),
        step('resync-kernel', 'conntrackd -R: rebuild the internal cache from the kernel table'),
        step('bulk-send', 'conntrackd -B: send the BACKUP a full copy of this node\'s flows'),
      )
      break
    case 'BACKUP': {
      if (info.startOnBackup) {
        slots.afterWan.push({kind: 'conntrackd.start', args: {command: info.startCommand, timeoutMs: info.startTimeoutMs}, why: 'start conntrackd if it is not running', critical: false})
      }
      const resync = step('request-resync', 'conntrackd -n: ask the MASTER for a full resync (a returning node holds no state)')
      slots.afterWan.push(step('purge', 'conntrackd -t: purge zombie kernel entries after PurgeTimeout'), resync)
      if (info.verifyFailback) {
        const skip = resync.args.noop
        const args = {waitMs: info.verifyTimeoutMs, tolerancePercent: info.syncTolerancePercent, ...(skip ? {noop: skip} : {})}
        // Detached: it can take verify_timeout_ms plus two reads over the peer port (~1 s in the lab), and a
        // MASTER event that came meanwhile waited behind it for the lock (a take-over ~1 s late, the failover bench).
        slots.afterWan.push({kind: 'conntrackd.verify-sync', args, why: 'check that the MASTER\'s flows arrived here', critical: false, detached: true})
      }
      break
    }
    case 'FAULT':
      slots.afterWan.push(step('purge', 'conntrackd -t: purge zombie kernel entries after PurgeTimeout'))
      break
    case 'STOP':
      break
  }
  return slots
}
