import type {GateState} from '../core/failback/gate.js'
export {gateFilePath} from '../core/failback/gate.js'
import {readTextOrUndefined, writeFileAtomic} from './files.js'

/** The gate as the daemon last decided it, for `status` and `maintenance off` (<state.dir>/failback-gate.json). */
export type GateFile = GateState & {version: 1; pid: number}

export function writeGateFile(path: string, state: GateState): void {
  writeFileAtomic(path, `${JSON.stringify({version: 1, pid: process.pid, ...state})}\n`, {mode: 0o644, mkdir: true, durable: false})
}

/** undefined when missing or not the daemon's JSON. */
export function readGateFile(path: string): GateFile | undefined {
  const text = readTextOrUndefined(path)
  if (text === undefined) return undefined
  try {
    const g = JSON.parse(text) as Partial<GateFile>
    return g.version === 1 && typeof g.open === 'boolean' && typeof g.since === 'number' && typeof g.pid === 'number' ? (g as GateFile) : undefined
  } catch {
    return undefined
  }
}
