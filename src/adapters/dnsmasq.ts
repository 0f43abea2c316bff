import {readFileSync} from 'node:fs'
import {HaError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {assertOk, type Exec} from './exec.js'
import {monoMs} from './clock.js'

export type DnsmasqProcessConfig = {
  pid_file: string
  start_command: string[]
  stop_command: string[]
  command_timeout_ms: number
}

/** Whether dnsmasq runs, and starting/stopping it through the configured commands. */
export type DnsmasqControl = {
  /** The pid of the running dnsmasq (from its --pid-file, checked against /proc), or undefined. */
  running(): number | undefined
  /** Runs start_command, then waits until the pid file names a live dnsmasq. */
  start(): Promise<void>
  /** Runs stop_command, then waits until that dnsmasq has exited (its lease file is then ours to replace). */
  stop(): Promise<void>
}

export function createDnsmasqControl(exec: Exec, cfg: DnsmasqProcessConfig): DnsmasqControl {
  const running = (): number | undefined => {
    let pid: number
    try {
      pid = Number(readFileSync(cfg.pid_file, 'utf8').trim())
    } catch {
      return undefined
    }
    if (!Number.isInteger(pid) || pid <= 0) return undefined
    try {
      // A stale pid file may name a pid reused by another program.
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0]
      return comm === 'dnsmasq' && state !== 'Z' ? pid : undefined
    } catch {
      return undefined
    }
  }
  const waitFor = async (want: boolean, what: string): Promise<void> => {
    const deadline = monoMs() + cfg.command_timeout_ms
    for (let wait = 5; (running() !== undefined) !== want; wait = Math.min(wait * 2, 100)) {
      if (monoMs() > deadline) throw new HaError(`dnsmasq did not ${what} within ${cfg.command_timeout_ms} ms (pid file ${cfg.pid_file})`, ExitCode.FAILED, {hint: 'check dnsmasq.start_command, stop_command and pid_file'})
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }
  return {
    running,
    start: async () => {
      assertOk(await exec(cfg.start_command, {timeoutMs: cfg.command_timeout_ms}), 'dnsmasq.start_command')
      await waitFor(true, 'start')
    },
    stop: async () => {
      assertOk(await exec(cfg.stop_command, {timeoutMs: cfg.command_timeout_ms}), 'dnsmasq.stop_command')
      await waitFor(false, 'stop')
    },
  }
}
