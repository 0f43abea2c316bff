import {readFileSync} from 'node:fs'
import {parseStartTicks, type OrderKey} from '../core/transition/order.js'

/** This process's spawn-order key: start time in ticks since boot and PID (see core/transition/order.ts). */
export function ownOrderKey(): OrderKey | undefined {
  try {
    const startTicks = parseStartTicks(readFileSync('/proc/self/stat', 'utf8'))
    return startTicks === undefined ? undefined : {startTicks, pid: process.pid}
  } catch {
    return undefined
  }
}

export function pidMax(): number {
  try {
    return Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim()) || 4194304
  } catch {
    return 4194304
  }
}

/** Whether pid is alive (EPERM still means it exists). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
