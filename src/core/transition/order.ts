/**
 * Ordering of notify-script invocations (script mode).
 *
 * keepalived starts notify scripts without waiting for them, so the process for an earlier
 * event can reach the lock after the process for a later one. Each invocation therefore
 * carries a key of when keepalived spawned it: (start time in clock ticks since boot, PID),
 * both read from /proc/self/stat. Why this is sound:
 * - keepalived's VRRP process is single-threaded and forks the scripts in event order;
 *   fork() sets the child's start time and PID, and exec() (through env and node) keeps both,
 *   so the key is a timestamp of the fork, not of when node got going.
 * - Start times are non-decreasing in fork order. Within one tick (10 ms at USER_HZ=100)
 *   they tie, and then the PID decides: Linux hands out PIDs in increasing order, wrapping
 *   at pid_max. A wrap inside one tick is told apart by distance: the later of two PIDs
 *   forked in the same tick is less than pid_max/2 ahead of the earlier one, modulo pid_max.
 * An invocation applies its state only if its key is not older than the key recorded by the
 * last applied transition (checked under the lock), so a late-running earlier event never
 * overwrites a later one.
 */
export type OrderKey = {startTicks: number; pid: number}

/** True when `a` was spawned before `b`. */
export function spawnedBefore(a: OrderKey, b: OrderKey, pidMax: number): boolean {
  if (a.startTicks !== b.startTicks) return a.startTicks < b.startTicks
  if (a.pid === b.pid) return false
  const ahead = (((b.pid - a.pid) % pidMax) + pidMax) % pidMax
  return ahead < pidMax / 2
}

/** Field 22 (starttime) of /proc/<pid>/stat. The command name (field 2) may contain spaces and parens. */
export function parseStartTicks(stat: string): number | undefined {
  const close = stat.lastIndexOf(')')
  if (close < 0) return undefined
  const fields = stat.slice(close + 2).split(' ')
  // fields[0] is field 3 (state), so field 22 is fields[19].
  const v = Number(fields[19])
  return Number.isFinite(v) ? v : undefined
}
