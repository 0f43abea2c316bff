import type {StateFile} from './types.js'

/** The state file's JSON, or undefined when it is not a version-1 state file. */
export function parseStateFile(text: string): StateFile | undefined {
  try {
    const data = JSON.parse(text) as StateFile
    return data && data.version === 1 ? data : undefined
  } catch {
    return undefined
  }
}
