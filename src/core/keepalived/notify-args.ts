import type {KeepalivedEvent} from './event.js'

export const NOTIFY_USAGE = 'ha-tool notify [FLAGS] INSTANCE|GROUP NAME STATE [PRIORITY]  |  ha-tool notify [FLAGS] master|backup|fault|stop'

/** Every state keepalived writes, to notify scripts and to the FIFO alike. */
export const STATES = ['MASTER', 'BACKUP', 'FAULT', 'STOP', 'DELETED', 'MASTER_RX_LOWER_PRI', 'MASTER_PRIORITY', 'BACKUP_PRIORITY']
const SHORT = ['master', 'backup', 'fault', 'stop']

/**
 * Parses the positional arguments keepalived passes to a notify script:
 * `notify` appends TYPE NAME STATE PRIORITY (3 args on old versions, without PRIORITY);
 * `notify_master` and friends append nothing, so the configured word is the state.
 * Returns the event, or the reason the arguments are not one of those forms.
 */
export function parseNotifyArgs(args: readonly string[]): KeepalivedEvent | {error: string} {
  if (args.length === 1) {
    const word = args[0]
    if (SHORT.includes(word.toLowerCase())) return {type: undefined, name: undefined, state: word.toUpperCase(), priority: undefined}
    return {error: `unknown state "${word}": expected one of ${SHORT.join(', ')}`}
  }
  if (args.length === 3 || args.length === 4) {
    const [type, name, state, prio] = args
    if (type !== 'INSTANCE' && type !== 'GROUP') return {error: `first argument "${type}" is not INSTANCE or GROUP`}
    if (name === '') return {error: 'empty instance name'}
    if (!STATES.includes(state)) return {error: `unknown state "${state}": expected one of ${STATES.join(', ')}`}
    let priority: number | undefined
    if (prio !== undefined) {
      const why = priorityProblem(prio)
      if (why) return {error: why}
      priority = Number(prio)
    }
    return {type, name, state, priority}
  }
  return {error: args.length === 0 ? 'no state given' : `expected 1, 3 or 4 arguments, got ${args.length}`}
}

/** VRRP priorities are 0..255, written in decimal; the FIFO parser uses the same rule. */
export function priorityProblem(prio: string): string | undefined {
  return !/^\d{1,3}$/.test(prio) || Number(prio) > 255 ? `priority "${prio}" is not an integer 0..255` : undefined
}
