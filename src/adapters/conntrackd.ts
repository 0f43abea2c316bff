import {closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, statSync, unlinkSync} from 'node:fs'
import {connect} from 'node:net'
import {endianness} from 'node:os'
import {CONNTRACKD_ACTIONS, CONNTRACKD_DUMP_CODES, type ConntrackdAction} from '../core/conntrack/actions.js'
import {type ConntrackdConf, ConntrackdConfSyntaxError, parseConntrackdConf} from '../core/conntrack/config.js'
import {diagnoseFailure, lastLine, type SocketProbe} from '../core/conntrack/diagnose.js'
import {type ConntrackdStats, parseConntrackdStats} from '../core/conntrack/stats.js'
import {configError, HaError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import type {Exec, ExecResult} from './exec.js'
import type {Logger} from './log.js'
import {monoMs} from './clock.js'

/** What ha-tool needs from the local conntrackd: its config, its client requests, and the evidence around them. */
export type ConntrackdClient = {
  readonly configPath: string
  /** conntrackd.conf, parsed (cached); throws HaError 78 when unreadable or broken. */
  conf(): ConntrackdConf
  /** What in conntrackd.conf conntrackd refuses or ignores, or that defeats ha-tool ("file:line: ..."). */
  confProblems(): string[]
  /** Runs `conntrackd -C <config> <flag>`; throws a diagnosed HaError (one line + fix) when it fails. */
  request(action: ConntrackdAction, opts?: {timeoutMs?: number}): Promise<ExecResult>
  stats(): Promise<ConntrackdStats>
  /** `conntrackd -i` (internal cache) or `-e` (external cache): one flow per line. */
  dump(cache: 'internal' | 'external'): Promise<string>
  /** Entries in this network namespace's kernel conntrack table, if readable. */
  kernelCount(): number | undefined
  /** Size of conntrackd's LogFile now, or undefined when it has none ha-tool can read. */
  logOffset(): number | undefined
  /** What conntrackd logged since `offset` (from the start if the file was rotated). */
  logSince(offset: number): string | undefined
  /** True when the daemon answers `-s`. */
  isRunning(): Promise<boolean>
  /** Starts the daemon (removing a stale lock file first) and waits until it answers. */
  start(command: readonly string[], timeoutMs: number): Promise<{staleLockRemoved: boolean}>
}

export type ConntrackdOptions = {exec: Exec; binary: string; config: string; timeoutMs: number; log?: Logger}

const NOT_INSTALLED_HINT = 'install the conntrackd package (apt-get install conntrackd) or set conntrackd.binary'

export function createConntrackd(opts: ConntrackdOptions): ConntrackdClient {
  let parsed: ConntrackdConf | undefined
  let problemLines: string[] = []
  const conf = (): ConntrackdConf => {
    if (parsed) return parsed
    let text: string
    try {
      text = readFileSync(opts.config, 'utf8')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') throw configError(`${opts.config}: no such conntrackd config`, 'create it (ha-tool config example conntrackd) or set conntrackd.config')
      if (code === 'EACCES') throw configError(`${opts.config}: permission denied reading the conntrackd config`, 'run ha-tool as root')
      throw configError(`${opts.config}: cannot read: ${(error as Error).message}`)
    }
    try {
      const {conf: c, problems} = parseConntrackdConf(text)
      // Debug only: every step reads the file; resync and doctor show these to the user.
      problemLines = problems.map((p) => `${opts.config}${p.line ? `:${p.line}` : ''}: ${p.message}`)
      for (const line of problemLines) opts.log?.debug(line)
      return (parsed = c)
    } catch (error) {
      if (error instanceof ConntrackdConfSyntaxError) throw configError(`${opts.config}:${error.line}: ${error.message.replace(/^line \d+: /, '')}`)
      throw error
    }
  }
  const safeConf = (): ConntrackdConf | undefined => {
    try { return conf() } catch { return undefined }
  }

  // `code`: the request's code on the daemon's socket (core/conntrack/actions.ts). When the socket
  // answers, no process is spawned (a `conntrackd -c` re-reads conntrackd.conf before it connects:
  // 6-14 ms on a failover's hot path); when it does not, the CLI runs and its failure is diagnosed.
  const run = async (args: readonly string[], timeoutMs: number, code?: number): Promise<ExecResult> => {
    const argv = [opts.binary, '-C', opts.config, ...args]
    const command = ['conntrackd', '-C', opts.config, ...args].join(' ')
    const socketPath = code === undefined ? undefined : safeConf()?.socketPath
    if (socketPath && code !== undefined) {
      const s = await socketRequest(socketPath, code, timeoutMs)
      if (s.state === 'answered') {
        opts.log?.debug({socket: socketPath, code, args, ms: Math.round(s.durationMs * 10) / 10}, 'conntrackd request over its socket')
        return {argv: [`unix:${socketPath}`, ...args], code: 0, signal: null, stdout: s.stdout, stderr: '', timedOut: false, durationMs: s.durationMs}
      }
      if (s.state === 'timeout') {
        // Not retried through the CLI: the daemon has the request (a commit would only be skipped as "in progress").
        const d = diagnoseFailure({command, code: null, signal: null, timedOut: true, timeoutMs, stderr: '', configPath: opts.config, socketPath})
        throw new HaError(d.message, d.exit, {kind: d.kind, hint: d.hint})
      }
    }
    let r: ExecResult
    try {
      r = await opts.exec(argv, {timeoutMs})
    } catch (error) {
      if (error instanceof HaError && error.kind === 'missing-program') {
        throw new HaError(`${command}: ${opts.binary} is not installed or not on PATH`, ExitCode.UNAVAILABLE, {kind: 'not-installed', hint: NOT_INSTALLED_HINT})
      }
      throw error
    }
    if (r.code === 0 && !r.timedOut) return r
    const c = safeConf()
    const cantConnect = /can't connect/.test(r.stderr)
    const d = diagnoseFailure({
      command, code: r.code, signal: r.signal, timedOut: r.timedOut, timeoutMs, stderr: r.stderr,
      configPath: opts.config, socketPath: c?.socketPath,
      socket: cantConnect ? await probeSocket(c?.socketPath) : undefined,
      daemonPids: cantConnect ? daemonPids() : undefined,
    })
    throw new HaError(d.message, d.exit, {kind: d.kind, hint: d.hint})
  }

  const client: ConntrackdClient = {
    configPath: opts.config,
    conf,
    confProblems: () => (safeConf() ? problemLines : []),
    request: (action, o = {}) => run(CONNTRACKD_ACTIONS[action].flag.split(' '), o.timeoutMs ?? opts.timeoutMs, CONNTRACKD_ACTIONS[action].code),
    dump: async (cache) => (await run([cache === 'internal' ? '-i' : '-e'], opts.timeoutMs, CONNTRACKD_DUMP_CODES[cache])).stdout,
    async stats() {
      const r = await run(['-s'], opts.timeoutMs, CONNTRACKD_ACTIONS.stats.code)
      try {
        return parseConntrackdStats(r.stdout)
      } catch (error) {
        throw new HaError(`conntrackd -C ${opts.config} -s: ${(error as Error).message}`, ExitCode.FAILED, {hint: 'is conntrackd.conf the file the daemon was started with?'})
      }
    },
    kernelCount() {
      try {
        const n = Number(readFileSync('/proc/sys/net/netfilter/nf_conntrack_count', 'utf8').trim())
        return Number.isFinite(n) ? n : undefined
      } catch {
        return undefined
      }
    },
    logOffset() {
      const file = safeConf()?.logFile
      if (!file) return undefined
      try { return statSync(file).size } catch { return undefined }
    },
    logSince(offset) {
      const file = safeConf()?.logFile
      if (!file) return undefined
      try {
        const size = statSync(file).size
        const from = size < offset ? 0 : offset
        const buf = Buffer.alloc(Math.min(size - from, 1024 * 1024))
        const fd = openSync(file, 'r')
        try { readSync(fd, buf, 0, buf.length, from) } finally { closeSync(fd) }
        return buf.toString('utf8')
      } catch {
        return undefined
      }
    },
    async isRunning() {
      try {
        await run(['-s'], opts.timeoutMs, CONNTRACKD_ACTIONS.stats.code)
        return true
      } catch (error) {
        if (error instanceof HaError && (error.kind === 'not-running' || error.kind === 'socket-missing')) return false
        throw error
      }
    },
    async start(command, timeoutMs) {
      const c = conf()
      // primary-backup.sh removes the lock file unconditionally; only do it when nothing answers on the socket.
      let staleLockRemoved = false
      const probe = await probeSocket(c.socketPath)
      if ((probe === 'missing' || probe === 'refused') && daemonPids().length === 0) {
        try {
          unlinkSync(c.lockFile)
          staleLockRemoved = true
          opts.log?.warn({lockFile: c.lockFile}, 'removed a stale conntrackd lock file (conntrackd was not cleanly stopped)')
        } catch { /* no lock file: a clean stop */ }
        if (probe === 'refused' && c.socketPath) try { unlinkSync(c.socketPath) } catch { /* gone already */ }
      }
      const argv = command.length > 0 ? command : [opts.binary, '-d', '-C', opts.config]
      let r: ExecResult
      try {
        r = await opts.exec(argv, {timeoutMs})
      } catch (error) {
        if (error instanceof HaError && error.kind === 'missing-program') throw new HaError(`${argv.join(' ')}: ${argv[0]} is not installed or not on PATH`, ExitCode.UNAVAILABLE, {kind: 'not-installed', hint: NOT_INSTALLED_HINT})
        throw error
      }
      if (r.code !== 0 || r.timedOut) {
        const why = r.timedOut ? `timed out after ${timeoutMs} ms` : `exit ${r.code}`
        const line = lastLine(r.stderr)
        throw new HaError(`${argv.join(' ')}: could not start conntrackd: ${why}${line ? `: ${line}` : ''}`, ExitCode.UNAVAILABLE, {kind: 'not-running', hint: 'run it in the foreground (conntrackd -C <config>) to see why'})
      }
      const deadline = monoMs() + timeoutMs
      for (;;) {
        if (await client.isRunning()) return {staleLockRemoved}
        if (monoMs() > deadline) throw new HaError(`${argv.join(' ')} exited 0 but conntrackd does not answer on ${c.socketPath} after ${timeoutMs} ms`, ExitCode.UNAVAILABLE, {kind: 'not-running', hint: 'check the conntrackd log'})
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
  }
  return client
}

/** This namespace's kernel conntrack table, both families (`conntrack -L` lists one family at a time). */
export async function readKernelFlows(exec: Exec, timeoutMs: number): Promise<string> {
  const out: string[] = []
  for (const family of ['ipv4', 'ipv6']) {
    const r = await exec(['conntrack', '-L', '-f', family], {timeoutMs})
    if (r.code !== 0 || r.timedOut) throw new HaError(`conntrack -L -f ${family}: ${r.timedOut ? `no answer within ${timeoutMs} ms` : `exit ${r.code}`}${lastLine(r.stderr) ? `: ${lastLine(r.stderr)}` : ''}`, ExitCode.UNAVAILABLE, {hint: 'install the conntrack package (conntrack-tools)'})
    out.push(r.stdout)
  }
  return out.join('\n')
}

export type SocketAnswer =
  | {state: 'answered'; stdout: string; durationMs: number}
  | {state: 'timeout'}
  /** Could not connect or send (no daemon, a stale socket, no permission): let the CLI say why. */
  | {state: 'unreachable'; error: string}

/**
 * One request as `conntrackd -C <conf> <flag>` makes it (conntrack-tools src/local.c): connect to the
 * daemon's UNIX socket, send the request code as a native-endian int, read until the daemon closes.
 */
export function socketRequest(path: string, code: number, timeoutMs: number): Promise<SocketAnswer> {
  const started = monoMs()
  return new Promise((resolve) => {
    const sock = connect({path})
    const chunks: Buffer[] = []
    let sent = false
    let done = false
    const finish = (a: SocketAnswer) => {
      if (done) return
      done = true
      clearTimeout(timer)
      sock.destroy()
      resolve(a)
    }
    const timer = setTimeout(() => finish({state: 'timeout'}), timeoutMs)
    sock.once('connect', () => {
      const buf = Buffer.alloc(4)
      if (endianness() === 'LE') buf.writeInt32LE(code)
      else buf.writeInt32BE(code)
      sock.write(buf, () => { sent = true })
    })
    sock.on('data', (d: Buffer) => { chunks.push(d) })
    sock.once('end', () => finish({state: 'answered', stdout: Buffer.concat(chunks).toString('utf8'), durationMs: monoMs() - started}))
    sock.once('error', (error: NodeJS.ErrnoException) => {
      // A reset after the request went out is an answer too (the daemon closed without reading all).
      if (sent && error.code === 'ECONNRESET') finish({state: 'answered', stdout: Buffer.concat(chunks).toString('utf8'), durationMs: monoMs() - started})
      else finish({state: 'unreachable', error: error.code ?? error.message})
    })
  })
}

/** Connects to the daemon's socket ourselves, to tell "not running" from "permission denied". */
export function probeSocket(path: string | undefined): Promise<SocketProbe> {
  if (!path) return Promise.resolve('unconfigured')
  try {
    if (!statSync(path).isSocket()) return Promise.resolve('not-socket')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return Promise.resolve(code === 'ENOENT' ? 'missing' : code === 'EACCES' ? 'denied' : 'error')
  }
  return new Promise((resolve) => {
    const sock = connect({path})
    const done = (p: SocketProbe) => { clearTimeout(timer); sock.destroy(); resolve(p) }
    const timer = setTimeout(() => done('error'), 1000)
    sock.once('connect', () => done('ok'))
    sock.once('error', (error: NodeJS.ErrnoException) => {
      done(error.code === 'EACCES' || error.code === 'EPERM' ? 'denied' : error.code === 'ECONNREFUSED' ? 'refused' : error.code === 'ENOENT' ? 'missing' : 'error')
    })
  })
}

/** PIDs of conntrackd processes in this network namespace (a daemon elsewhere is another node's). */
function daemonPids(): number[] {
  let self: string
  try { self = readlinkSync('/proc/self/ns/net') } catch { return [] }
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'conntrackd') continue
      if (readlinkSync(`/proc/${entry}/ns/net`) === self) pids.push(Number(entry))
    } catch { /* gone, or not ours to read */ }
  }
  return pids
}
