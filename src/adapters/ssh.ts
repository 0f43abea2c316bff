import {spawn} from 'node:child_process'
import {HaError, unavailableError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import type {Logger} from './log.js'

/** How to reach the peer: the system's OpenSSH client, never a prompt. */
export type SshTarget = {
  destination: string
  port: number
  /** Private key ("" = ssh's default identities). */
  key: string
  /** known_hosts file ("" = ssh's default); host keys are always checked. */
  knownHosts: string
  timeoutMs: number
}

export type SshResult = {code: number; stdout: Buffer; stderr: string}

export type Ssh = {
  /** Runs argv on the peer (each word quoted for its shell). Rejects with exit 69 when ssh itself fails or times out. */
  run(argv: readonly string[], opts?: {input?: Uint8Array | string; timeoutMs?: number}): Promise<SshResult>
}

/** One word for a POSIX shell, single-quoted unless plainly safe. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
}

/** The ssh argv for a target: BatchMode (no prompt can hang a hook), a connect timeout, the key from config. */
export function sshArgv(t: SshTarget, remote: readonly string[], timeoutMs = t.timeoutMs, options: readonly string[] = []): string[] {
  const argv = ['ssh', '-T', '-o', 'BatchMode=yes', '-o', `ConnectTimeout=${Math.max(1, Math.ceil(timeoutMs / 1000))}`,
    '-o', 'StrictHostKeyChecking=yes', '-o', 'ServerAliveInterval=2', '-o', 'ServerAliveCountMax=2', '-o', 'LogLevel=ERROR', '-p', String(t.port)]
  if (t.key) argv.push('-i', t.key, '-o', 'IdentitiesOnly=yes')
  if (t.knownHosts) argv.push('-o', `UserKnownHostsFile=${t.knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null')
  for (const o of options) argv.push('-o', o)
  argv.push('--', t.destination, ...(remote.length ? [remote.map(shellQuote).join(' ')] : []))
  return argv
}

/** `options`: extra `-o` options (ssh-channel.ts: run over a held ControlMaster connection). */
export function createSsh(target: SshTarget, log?: Logger, options: readonly string[] = []): Ssh {
  return {
    run: (remote, opts = {}) => new Promise((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? target.timeoutMs
      const argv = sshArgv(target, remote, timeoutMs, options)
      log?.debug({argv}, 'ssh')
      const child = spawn(argv[0], argv.slice(1), {stdio: ['pipe', 'pipe', 'pipe']})
      const out: Buffer[] = []
      const err: Buffer[] = []
      let timedOut = false
      const timer = setTimeout(() => {
        timedOut = true
        child.kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 500).unref()
      }, timeoutMs)
      child.stdout.on('data', (b: Buffer) => out.push(b))
      child.stderr.on('data', (b: Buffer) => err.push(b))
      child.stdin.on('error', () => { /* the peer closed early; the exit status tells why */ })
      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        reject(error.code === 'ENOENT'
          ? new HaError('ssh: not installed or not on PATH', ExitCode.UNAVAILABLE, {kind: 'missing-program', hint: 'install openssh-client'})
          : unavailableError(`ssh ${target.destination}: ${error.message}`))
      })
      child.on('close', (code, signal) => {
        clearTimeout(timer)
        const stderr = Buffer.concat(err).toString('utf8').trim()
        const why = stderr.split('\n').filter(Boolean).pop()
        if (timedOut) return reject(unavailableError(`peer ${target.destination} unreachable: ssh timed out after ${timeoutMs} ms`, 'check the sync link and dnsmasq.ssh_timeout_ms'))
        if (code === 255 || code === null) {
          return reject(unavailableError(`peer ${target.destination} unreachable: ssh ${signal ? `killed by ${signal}` : 'failed'}${why ? `: ${why}` : ''}`, 'check dnsmasq.peer, ssh_key and ssh_known_hosts'))
        }
        resolve({code, stdout: Buffer.concat(out), stderr})
      })
      child.stdin.end(opts.input ?? '')
    }),
  }
}
