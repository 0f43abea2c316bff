import {ExitCode, type ExitCodeValue} from '../exit-codes.js'

/** What connecting to the daemon's UNIX socket ourselves found (the client only says "can't connect"). */
export type SocketProbe = 'ok' | 'missing' | 'refused' | 'denied' | 'not-socket' | 'unconfigured' | 'error'

export type ConntrackdFailureKind = 'not-installed' | 'not-running' | 'socket-missing' | 'permission-denied' | 'timeout' | 'config' | 'failed'

export type ConntrackdFailure = {
  /** The command as the user would type it, e.g. `conntrackd -C /etc/conntrackd/conntrackd.conf -c`. */
  command: string
  code: number | null
  signal?: string | null
  timedOut: boolean
  timeoutMs: number
  stderr: string
  configPath: string
  socketPath?: string
  socket?: SocketProbe
  /** conntrackd processes in this network namespace. */
  daemonPids?: number[]
}

export type Diagnosis = {kind: ConntrackdFailureKind; message: string; hint: string; exit: ExitCodeValue}

/**
 * One line and its fix for a failed conntrackd client call. conntrackd's own message covers
 * not-running, socket-missing and permission-denied alike ("can't connect: is conntrackd
 * running? appropriate permissions?"), so the socket probe and the process list tell them apart.
 */
export function diagnoseFailure(f: ConntrackdFailure): Diagnosis {
  const start = `start it: systemctl start conntrackd, or conntrackd -d -C ${f.configPath}`
  if (f.timedOut) {
    return {kind: 'timeout', exit: ExitCode.UNAVAILABLE, message: `${f.command}: no answer from conntrackd within ${f.timeoutMs} ms`, hint: `the daemon is hung or overloaded: check its log and \`conntrackd -C ${f.configPath} -s\`; raise conntrackd.timeout_ms for large tables`}
  }
  const err = lastLine(f.stderr)
  if (/can't open config file/.test(f.stderr)) {
    return {kind: 'config', exit: ExitCode.CONFIG, message: `${f.command}: conntrackd cannot read ${f.configPath}`, hint: 'create it (ha-tool config example conntrackd) or set conntrackd.config'}
  }
  if (/review your configuration|parsing config file/.test(f.stderr)) {
    return {kind: 'config', exit: ExitCode.CONFIG, message: `${f.command}: conntrackd rejects ${f.configPath}: ${err}`, hint: `fix the file; conntrackd -C ${f.configPath} -d in the foreground of a test shows the line`}
  }
  if (/can't connect/.test(f.stderr)) {
    const sock = f.socketPath ?? '(none)'
    const pids = f.daemonPids ?? []
    switch (f.socket) {
      case 'unconfigured':
        return {kind: 'config', exit: ExitCode.CONFIG, message: `${f.command}: ${f.configPath} has no UNIX { Path ... } in General, so the client cannot reach the daemon`, hint: 'add General { UNIX { Path /var/run/conntrackd.ctl } } and restart conntrackd'}
      case 'denied':
        return {kind: 'permission-denied', exit: ExitCode.UNAVAILABLE, message: `${f.command}: permission denied on conntrackd's socket ${sock}`, hint: 'run ha-tool as root (conntrackd creates its socket mode 0600), as keepalived does with script_user root'}
      case 'not-socket':
        return {kind: 'socket-missing', exit: ExitCode.UNAVAILABLE, message: `${f.command}: ${sock} exists but is not a socket`, hint: 'remove it and restart conntrackd, or fix UNIX { Path } in conntrackd.conf'}
      case 'missing':
        if (pids.length > 0) {
          return {kind: 'socket-missing', exit: ExitCode.UNAVAILABLE, message: `${f.command}: conntrackd runs (pid ${pids.join(', ')}) but its socket ${sock} is missing`, hint: `it was started with another config or the socket was deleted: restart it with -C ${f.configPath}`}
        }
        return {kind: 'not-running', exit: ExitCode.UNAVAILABLE, message: `${f.command}: conntrackd is not running (no socket at ${sock})`, hint: start}
      case 'refused':
        return {kind: 'not-running', exit: ExitCode.UNAVAILABLE, message: `${f.command}: conntrackd is not running (stale socket ${sock} refuses connections)`, hint: start}
      default:
        return {kind: 'not-running', exit: ExitCode.UNAVAILABLE, message: `${f.command}: cannot connect to conntrackd at ${sock}`, hint: `check that it runs (conntrackd -C ${f.configPath} -s) and that ha-tool runs as root`}
    }
  }
  const why = f.signal ? `killed by ${f.signal}` : `exit ${f.code}`
  return {kind: 'failed', exit: ExitCode.FAILED, message: `${f.command}: ${why}${err ? `: ${err}` : ''}`, hint: 'see the conntrackd log'}
}

/** The message of the last line conntrackd printed, without its "[date] (pid=N) [LEVEL] " prefix. */
export function lastLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean)
  const meaningful = lines.filter((l) => !/\[warning\]/i.test(l))
  const line = (meaningful.length > 0 ? meaningful : lines).pop() ?? ''
  return line.replace(/^\[[^\]]*\]\s*\(pid=\d+\)\s*\[[^\]]*\]\s*/, '').replace(/^ERROR:\s*/, '')
}
