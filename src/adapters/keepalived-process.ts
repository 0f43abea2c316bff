import {readFileSync} from 'node:fs'

/**
 * Whether keepalived is running, from its pid file and /proc (a zombie counts as gone).
 * undefined when there is no pid file to go by.
 */
export function keepalivedAlive(pidFile: string): boolean | undefined {
  let pid: number
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim())
  } catch {
    return undefined
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
    return state !== 'Z' && state !== 'X' && comm.startsWith('keepalived')
  } catch {
    return false
  }
}
