import {readdirSync, readFileSync, readlinkSync} from 'node:fs'

/** A /proc/<pid>/stat's command name and state letter. */
function statOf(pid: number): {comm: string; state: string} | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const close = stat.lastIndexOf(')')
    return {comm: stat.slice(stat.indexOf('(') + 1, close), state: stat.slice(close + 2, close + 3)}
  } catch {
    return undefined
  }
}

const netnsOf = (pid: number | 'self'): string | undefined => {
  try { return readlinkSync(`/proc/${pid}/ns/net`) } catch { return undefined }
}

/**
 * Whether pid is a live keepalived serving this node: named keepalived, not a zombie, and in our
 * network namespace (two nodes in namespaces on one host share the process table).
 */
function isOurKeepalived(pid: number, ourNet: string | undefined): boolean {
  const st = statOf(pid)
  if (!st || st.comm !== 'keepalived' || st.state === 'Z' || st.state === 'X') return false
  return ourNet === undefined || netnsOf(pid) === ourNet
}

/** The keepalived processes (parent and children) in this network namespace, from the process table. */
export function keepalivedPids(): number[] {
  const ourNet = netnsOf('self')
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    const pid = Number(name)
    if (Number.isInteger(pid) && pid > 0 && isOurKeepalived(pid, ourNet)) out.push(pid)
  }
  return out
}

/**
 * Whether keepalived runs here. The pid file is only a hint (its path may not be keepalived's):
 * a live keepalived at its pid answers at once, else the process table decides.
 */
export function keepalivedAlive(pidFileHint: string): boolean {
  const ourNet = netnsOf('self')
  try {
    const pid = Number(readFileSync(pidFileHint, 'utf8').trim())
    if (Number.isInteger(pid) && pid > 0 && isOurKeepalived(pid, ourNet)) return true
  } catch { /* no pid file there: the process table decides */ }
  // The keepalived the last scan found, before scanning /proc again (the watchdog asks every tick).
  if (lastFound !== undefined && isOurKeepalived(lastFound, ourNet)) return true
  const pids = keepalivedPids()
  lastFound = pids[0]
  return pids.length > 0
}

let lastFound: number | undefined

/** Whether our parent process really is keepalived (its notify_fifo_script), not a shell or systemd. */
export function parentIsKeepalived(): boolean {
  return statOf(process.ppid)?.comm === 'keepalived'
}
