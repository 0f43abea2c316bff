import type {TransitionResult} from '../../app/handle-transition.js'
import type {KeepalivedEvent} from '../../core/keepalived/event.js'
import {renderTransition} from './transition.js'

/** notify's result: the transition it applied, or why the event was ignored. */
export type NotifyResult = TransitionResult | {ignored: true; reason: string; event: KeepalivedEvent}

export function renderNotify(r: NotifyResult): string {
  return 'ignored' in r ? `ignored: ${r.reason}` : renderTransition(r)
}
