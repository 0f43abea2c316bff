import {type ChildProcess, spawn} from 'node:child_process'
import {unavailableError} from '../core/errors.js'
import {existsSync, unlinkSync} from 'node:fs'
import type {Logger} from './log.js'
import {createSsh, type Ssh, sshArgv, type SshTarget} from './ssh.js'
import {tiedToParent} from './parent-death.js'
import {childEnv} from './safe-path.js'

/**
 * One long-lived ssh connection to the peer, held by the daemon: an OpenSSH ControlMaster (a
 * child `ssh -M -N`), and commands run as sessions multiplexed over it (`ControlMaster=no` with
 * its ControlPath), so a lease push costs a session on a connection already up instead of a TCP
 * and key exchange (~0.4 s). The master is started on first use and again after it died; it dies
 * with the daemon, and one left behind anyway (a daemon without setpriv) is adopted (and told to
 * exit on close).
 */
export type SshChannel = Ssh & {
  /** PID of the master ssh while it runs (tests kill it to prove a dead channel loses nothing). */
  masterPid(): number | undefined
  close(): Promise<void>
}

export function createSshChannel(target: SshTarget, controlPath: string, log: Logger): SshChannel {
  let master: ChildProcess | undefined
  let adopted = false
  let up: Promise<void> | undefined
  const mux = createSsh(target, log, ['ControlMaster=no', `ControlPath=${controlPath}`])
  /** `ssh -O CMD` against the control socket: exit 0 when a master answers there. */
  const control = (cmd: 'check' | 'exit'): Promise<boolean> => new Promise((resolve) => {
    const argv = sshArgv(target, [], target.timeoutMs, [`ControlPath=${controlPath}`])
    argv.splice(1, 0, '-O', cmd)
    const c = spawn(argv[0], argv.slice(1), {env: childEnv(), stdio: 'ignore'})
    const t = setTimeout(() => c.kill('SIGKILL'), 2000)
    c.on('error', () => resolve(false))
    c.on('exit', (code) => { clearTimeout(t); resolve(code === 0) })
  })
  const start = async (): Promise<void> => {
    // A master left by a daemon that died (kill -9) still holds the connection: adopt it.
    if (existsSync(controlPath) && await control('check')) {
      adopted = true
      return
    }
    try { if (existsSync(controlPath)) unlinkSync(controlPath) } catch { /* a stale socket: ssh says so below */ }
    const argv = sshArgv(target, [], target.timeoutMs, ['ControlMaster=yes', `ControlPath=${controlPath}`, 'ControlPersist=no'])
    // -N: no command, the connection only; the destination comes last (sshArgv puts it after '--').
    argv.splice(1, 0, '-N')
    // Tied to the daemon (parent-death.ts); a master that still outlives one is adopted above.
    const full = tiedToParent(argv)
    const child = spawn(full[0], full.slice(1), {env: childEnv(), stdio: ['ignore', 'ignore', 'pipe']})
    master = child
    let err = ''
    child.stderr!.on('data', (b: Buffer) => { err += b.toString() })
    child.on('error', () => { /* ENOENT: the first run says why */ })
    child.on('exit', (code, signal) => {
      if (master === child) {
        master = undefined
        up = undefined
      }
      log.warn({code, signal, err: err.trim().split('\n').pop()}, 'ssh channel to the peer closed')
    })
    // Ready when the control socket appears (or the master gave up).
    return new Promise((resolve, reject) => {
      const t0 = Date.now()
      const tick = () => {
        if (existsSync(controlPath)) return resolve()
        if (child.exitCode !== null || child.signalCode !== null || Date.now() - t0 > target.timeoutMs) {
          child.kill('SIGTERM')
          return reject(unavailableError(`peer ${target.destination} unreachable: ssh channel: ${err.trim().split('\n').pop() ?? 'not up'}`))
        }
        setTimeout(tick, 10)
      }
      tick()
    })
  }
  return {
    run: async (remote, opts) => {
      if ((!master && !adopted) || !up) up = start()
      try {
        await up
      } catch (error) {
        up = undefined
        throw error
      }
      try {
        return await mux.run(remote, opts)
      } catch (error) {
        // The connection is gone (peer down, master killed): the next run starts a new one.
        if (adopted || master?.exitCode !== null) {
          adopted = false
          up = undefined
        }
        throw error
      }
    },
    masterPid: () => master?.pid,
    close: async () => {
      const m = master
      master = undefined
      up = undefined
      if (adopted) {
        adopted = false
        await control('exit')
      }
      if (!m || m.exitCode !== null) return
      const done = new Promise((r) => m.once('exit', r))
      m.kill('SIGTERM')
      await Promise.race([done, new Promise((r) => setTimeout(r, 2000))])
      if (m.exitCode === null && m.signalCode === null) m.kill('SIGKILL')
    },
  }
}
