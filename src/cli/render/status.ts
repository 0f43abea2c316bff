import {type NodeStatus, type PairStatus, renderPair, renderStatus} from '../../app/status.js'

/** This node's view, or both nodes side by side with --peer. */
export function renderStatusResult(s: NodeStatus | PairStatus): string {
  return 'local' in s ? renderPair(s) : renderStatus(s)
}
