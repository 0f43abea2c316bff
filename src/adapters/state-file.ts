import {parseStateFile} from '../core/transition/state-file.js'
import type {StateFile} from '../core/transition/types.js'
import {readTextOrUndefined, writeFileAtomic} from './files.js'

export const stateFilePath = (stateDir: string) => `${stateDir}/state.json`

/** The last transition, or undefined when none was recorded (or the file is unreadable JSON). */
export function readStateFile(stateDir: string): StateFile | undefined {
  const text = readTextOrUndefined(stateFilePath(stateDir))
  return text === undefined ? undefined : parseStateFile(text)
}

/** Atomic but not fsynced: state.dir is /run (tmpfs) and this runs on every keepalived event. */
export function writeStateFile(stateDir: string, state: StateFile): void {
  writeFileAtomic(stateFilePath(stateDir), `${JSON.stringify(state, null, 2)}\n`, {mode: 0o644, mkdir: true, durable: false})
}
