import type {Role} from '../transition/types.js'

/** A keepalived state event, from notify arguments or a notify-FIFO line. */
export type KeepalivedEvent = {
  type: 'INSTANCE' | 'GROUP' | undefined
  name: string | undefined
  /** The state as keepalived wrote it (upper case). */
  state: string
  priority: number | undefined
}

/** States keepalived reports that are not role changes (priority changes, a lower-priority advert seen). */
const NOT_ROLE_CHANGES = new Set(['MASTER_RX_LOWER_PRI', 'MASTER_PRIORITY', 'BACKUP_PRIORITY'])

export type EventDecision =
  | {action: 'apply'; role: Role}
  | {action: 'ignore'; reason: string}

/**
 * Whether an event drives this node, and to which role. `instance` is keepalived.instance:
 * "" accepts any (the only instance there is), else only events naming it (instance or group).
 * DELETED counts as STOP.
 */
export function decideEvent(event: KeepalivedEvent, instance: string): EventDecision {
  if (NOT_ROLE_CHANGES.has(event.state)) return {action: 'ignore', reason: `${event.state} is not a role change`}
  if (instance !== '' && event.name !== undefined && event.name !== instance) {
    return {action: 'ignore', reason: `event for ${event.type?.toLowerCase() ?? 'instance'} "${event.name}", this node follows "${instance}"`}
  }
  switch (event.state) {
    case 'MASTER': case 'BACKUP': case 'FAULT': case 'STOP': return {action: 'apply', role: event.state}
    case 'DELETED': return {action: 'apply', role: 'STOP'}
    default: return {action: 'ignore', reason: `unknown state ${event.state}`}
  }
}
