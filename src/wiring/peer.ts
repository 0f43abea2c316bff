import {createConntrackd, readKernelFlows} from '../adapters/conntrackd.js'
import {createExec} from '../adapters/exec.js'
import type {Logger} from '../adapters/log.js'
import {catFile, runSelf} from '../adapters/self-exec.js'
import {readStateFile} from '../adapters/state-file.js'
import {collectFlowRecords} from '../app/peer-flows.js'
import type {PeerServeDeps} from '../app/peer-serve.js'
import type {Config} from '../config/schema.js'
import {formatFlowRecord} from '../core/conntrack/flows.js'

/** `peer serve`: runs this same ha-tool, or copies one of the files it may hand out. */
export function peerServeDeps(config: Config, configPath: string, log: Logger): PeerServeDeps {
  return {config, configPath, log, runSelf, catFile}
}

/**
 * `peer flows`: the lines it prints. First the role this node last applied (the returning
 * node's gate opens when it is not MASTER), then one record per kernel flow.
 */
export async function peerFlowsText(config: Config, log: Logger): Promise<string> {
  const exec = createExec(log)
  const c = config.conntrackd
  const {records, note} = await collectFlowRecords({
    kernelFlows: () => readKernelFlows(exec, c.timeout_ms),
    client: createConntrackd({exec, binary: c.binary, config: c.config, timeoutMs: c.timeout_ms}),
  })
  if (note) log.warn(note)
  const role = readStateFile(config.state.dir)?.role ?? 'unknown'
  return `R\t${role}\n${records.map((r) => `${formatFlowRecord(r)}\n`).join('')}`
}
