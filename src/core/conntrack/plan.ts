import type {Role, Step} from '../transition/types.js'
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
}

export type ConntrackSlots = {beforeWan: Step[]; afterWan: Step[]}

/** Args of every conntrackd step: what to run, and why it will not run when it is a no-op here. */
export type ConntrackStepArgs = {action: ConntrackdAction | 'start' | 'verify-sync'; flag?: string; noop?: string}

export const CONNTRACK_STEP_KINDS = [
  'conntrackd.commit', 'conntrackd.flush', 'conntrackd.resync-kernel', 'conntrackd.bulk-send',
  'conntrackd.start', 'conntrackd.purge', 'conntrackd.request-resync', 'conntrackd.verify-sync',
] as const

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
  const step = (action: ConntrackdAction, why: string): Step => {
    const noop = info.conf ? noopReason(info.conf, action) : undefined
    const args: ConntrackStepArgs = {action, flag: CONNTRACKD_ACTIONS[action].flag, ...(noop ? {noop} : {})}
    return {kind: `conntrackd.${action}`, args, why, critical: false}
  }
  switch (role) {
    case 'MASTER':
      slots.beforeWan.push(step('commit', 'conntrackd -c: commit the peer\'s flows into the kernel before the WAN opens'))
      slots.afterWan.push(
        step('flush', 'conntrackd -f: flush the caches, the kernel table is now authoritative'),
        step('resync-kernel', 'conntrackd -R: rebuild the internal cache from the kernel table'),
        step('bulk-send', 'conntrackd -B: send the BACKUP a full copy of this node\'s flows'),
      )
      break
    case 'BACKUP': {
      if (info.startOnBackup) {
        slots.afterWan.push({kind: 'conntrackd.start', args: {action: 'start'} satisfies ConntrackStepArgs, why: 'start conntrackd if it is not running', critical: false})
      }
      const resync = step('request-resync', 'conntrackd -n: ask the MASTER for a full resync (a returning node holds no state)')
      slots.afterWan.push(step('purge', 'conntrackd -t: purge zombie kernel entries after PurgeTimeout'), resync)
      if (info.verifyFailback) {
        const noop = (resync.args as ConntrackStepArgs).noop
        const args: ConntrackStepArgs = {action: 'verify-sync', ...(noop ? {noop} : {})}
        slots.afterWan.push({kind: 'conntrackd.verify-sync', args, why: 'check that the MASTER\'s flows arrived here', critical: false})
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
