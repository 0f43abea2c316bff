import {type ChildProcess, spawn} from 'node:child_process'
import {HaError, unavailableError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {shellQuote} from '../core/parse/shell-words.js'
import type {Config} from '../config/schema.js'
import type {Logger} from './log.js'
import {childEnv} from './safe-path.js'

export {shellQuote}

/** How to reach the peer: the system's OpenSSH client, never a prompt, host keys always checked. */
export type PeerTarget = {
  destination: string
  port: number
  /** Private key ("" = ssh's default identities). */
  identity: string
  /** known_hosts file ("" = ssh's default files); StrictHostKeyChecking=yes either way. */
  knownHosts: string
  connectTimeoutMs: number
  /** Hard bound of one call, transfer included. */
  timeoutMs: number
  /** ha-tool on the peer, argv. */
  command: readonly string[]
  /** --config for ha-tool on the peer ("" = its default). */
  config: string
}

export type PeerResult = {code: number; stdout: Buffer; stderr: string}
export type PeerCallOptions = {input?: Uint8Array | string; timeoutMs?: number}

/** The one port to the other node (leases, status --peer, doctor, the failback check). */
export type Peer = {
  readonly destination: string
  /** Runs `ha-tool ARGS --config <peer.config>` on the peer. Rejects with exit 69 when ssh fails or times out. */
  ha(args: readonly string[], opts?: PeerCallOptions): Promise<PeerResult>
  /** A file's bytes from the peer (`cat -- PATH`; the forced command allows only its own lease file). */
  fetch(path: string, opts?: {timeoutMs?: number}): Promise<Buffer>
  /** Runs `ha-tool ARGS` on the peer and hands each stdout line (record) to onRecord as it arrives. */
  stream(args: readonly string[], onRecord: (line: string) => void, opts?: PeerCallOptions): Promise<PeerResult>
  /** Raw remote argv (each word quoted for the peer's shell): what the older ssh adapter offered. */
  run(argv: readonly string[], opts?: PeerCallOptions): Promise<PeerResult>
}

/** The [peer] section as a target (its older dnsmasq.* names are folded in at load). */
export function peerTarget(config: Config): PeerTarget {
  const p = config.peer
  return {destination: p.destination, port: p.port, identity: p.identity, knownHosts: p.known_hosts, connectTimeoutMs: p.connect_timeout_ms, timeoutMs: p.timeout_ms, command: p.command, config: p.config}
}

/**
 * The ssh argv: BatchMode (no prompt can hang a hook), StrictHostKeyChecking=yes (an unknown or
 * changed host key fails instead of being learnt), the port, key and known_hosts from [peer].
 */
export function peerSshArgv(t: Pick<PeerTarget, 'destination' | 'port' | 'identity' | 'knownHosts' | 'connectTimeoutMs'>, remote: readonly string[], options: readonly string[] = []): string[] {
  const argv = ['ssh', '-T', '-o', 'BatchMode=yes', '-o', `ConnectTimeout=${Math.max(1, Math.ceil(t.connectTimeoutMs / 1000))}`,
    '-o', 'StrictHostKeyChecking=yes', '-o', 'ServerAliveInterval=2', '-o', 'ServerAliveCountMax=2', '-o', 'LogLevel=ERROR', '-p', String(t.port)]
  if (t.identity) argv.push('-i', t.identity, '-o', 'IdentitiesOnly=yes')
  if (t.knownHosts) argv.push('-o', `UserKnownHostsFile=${t.knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null')
  for (const o of options) argv.push('-o', o)
  // No remote words: a connection only (`-N`, `-O check`), so no command word at all.
  argv.push('--', t.destination, ...(remote.length ? [remote.map(shellQuote).join(' ')] : []))
  return argv
}

/** argv of ha-tool on the peer for ARGS. */
export function peerHaArgv(t: Pick<PeerTarget, 'command' | 'config'>, args: readonly string[]): string[] {
  return [...t.command, ...args, ...(t.config ? ['--config', t.config] : [])]
}

type Spawned = {child: ChildProcess; done: Promise<PeerResult>}

// After ssh itself exits, a child it left behind may still hold the pipes: give the output
// this long to drain, then stop waiting (the group is killed).
const DRAIN_MS = 200

/**
 * Spawns ssh in its own process group, so that a timeout kills ssh and everything it started
 * (a ProxyCommand, a helper holding the pipes) and returns at once, whatever they do.
 */
function spawnBounded(argv: readonly string[], t: PeerTarget, opts: PeerCallOptions, onStdout: (b: Buffer) => void, log?: Logger): Spawned {
  const timeoutMs = opts.timeoutMs ?? t.timeoutMs
  log?.debug({argv}, 'peer')
  const child = spawn(argv[0], argv.slice(1), {env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'], detached: true})
  const done = new Promise<PeerResult>((resolve, reject) => {
    const err: Buffer[] = []
    let settled = false
    const killGroup = () => {
      try { if (child.pid) process.kill(-child.pid, 'SIGKILL') } catch { /* already gone */ }
      child.stdout?.destroy()
      child.stderr?.destroy()
      child.stdin?.destroy()
    }
    const settle = (f: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      f()
    }
    const timer = setTimeout(() => settle(() => {
      killGroup()
      reject(unavailableError(`peer ${t.destination} unreachable: ssh timed out after ${timeoutMs} ms`, 'check the sync link and peer.timeout_ms'))
    }), timeoutMs)
    child.stdout!.on('data', onStdout)
    child.stderr!.on('data', (b: Buffer) => err.push(b))
    child.stdin!.on('error', () => { /* the peer closed early; the exit status tells why */ })
    child.on('error', (error: NodeJS.ErrnoException) => settle(() => reject(error.code === 'ENOENT'
      ? new HaError('ssh: not installed or not on PATH', ExitCode.UNAVAILABLE, {kind: 'missing-program', hint: 'install openssh-client'})
      : unavailableError(`ssh ${t.destination}: ${error.message}`))))
    const finish = () => settle(() => {
      const code = child.exitCode
      const signal = child.signalCode
      const stderr = Buffer.concat(err).toString('utf8').trim()
      const why = stderr.split('\n').filter(Boolean).pop()
      if (code === 255 || code === null) {
        return reject(unavailableError(`peer ${t.destination} unreachable: ssh ${signal ? `killed by ${signal}` : 'failed'}${why ? `: ${why}` : ''}`, 'check peer.destination, peer.identity and peer.known_hosts (docs/peer.md)'))
      }
      resolve({code, stdout: Buffer.alloc(0), stderr})
    })
    child.once('close', finish)
    child.once('exit', () => setTimeout(() => { if (!settled) { killGroup(); finish() } }, DRAIN_MS).unref())
  })
  child.stdin!.end(opts.input ?? '')
  return {child, done}
}

/** `options`: extra `-o` options for every call (a multiplexed session over a held ControlMaster). */
export function createPeer(t: PeerTarget, log?: Logger, options: readonly string[] = []): Peer {
  const collect = async (remote: readonly string[], opts: PeerCallOptions = {}): Promise<PeerResult> => {
    const out: Buffer[] = []
    const r = await spawnBounded(peerSshArgv(t, remote, options), t, opts, (b) => out.push(b), log).done
    return {...r, stdout: Buffer.concat(out)}
  }
  return {
    destination: t.destination,
    ha: (args, opts) => collect(peerHaArgv(t, args), opts),
    run: collect,
    async fetch(path, opts = {}) {
      const r = await collect(['cat', '--', path], opts)
      if (r.code !== 0) throw new HaError(`peer ${t.destination}:${path}: cannot read: ${r.stderr.split('\n').filter(Boolean).pop() ?? `exit ${r.code}`}`, ExitCode.FAILED)
      return r.stdout
    },
    async stream(args, onRecord, opts = {}) {
      let rest = ''
      const r = await spawnBounded(peerSshArgv(t, peerHaArgv(t, args), options), t, opts, (b) => {
        const lines = (rest + b.toString('utf8')).split('\n')
        rest = lines.pop()!
        for (const line of lines) onRecord(line)
      }, log).done
      if (rest) onRecord(rest)
      return r
    },
  }
}

/** The peer port from a loaded config. */
export function peerFromConfig(config: Config, log?: Logger): Peer {
  return createPeer(peerTarget(config), log)
}
