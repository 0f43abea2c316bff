import type {ConntrackdClient} from '../ports.js'
import {errorLine} from '../core/errors.js'
import {type FlowRecord, masterFlowRecords, parseFlows} from '../core/conntrack/flows.js'

export type PeerFlowsDeps = {
  /** `conntrack -L`, both families. */
  kernelFlows(): Promise<string>
  client: ConntrackdClient
}

/**
 * This node's kernel table as flow records (what `ha-tool peer flows` sends the returning node):
 * each flow marked replicated when conntrackd's internal cache holds it too. Without an
 * internal cache (or conntrackd not answering) every kernel flow counts as replicated.
 */
export async function collectFlowRecords(deps: PeerFlowsDeps): Promise<{records: FlowRecord[]; note?: string}> {
  const kernel = parseFlows(await deps.kernelFlows())
  let internal: Set<string> | undefined
  let note: string | undefined
  try {
    internal = parseFlows(await deps.client.dump('internal'))
  } catch (error) {
    note = `conntrackd's internal cache could not be read, every kernel flow counts: ${errorLine(error)}`
  }
  return {records: masterFlowRecords(kernel, internal), note}
}
