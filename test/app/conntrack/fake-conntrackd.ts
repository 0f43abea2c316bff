// A conntrackd stand-in for app tests: a kernel table, an external cache, a log, and scripted failures.
import type {ConntrackdClient} from '../../../src/adapters/conntrackd.js'
import type {ExecResult} from '../../../src/adapters/exec.js'
import type {ConntrackdAction} from '../../../src/core/conntrack/actions.js'
import {type ConntrackdConf, parseConntrackdConf} from '../../../src/core/conntrack/config.js'
import type {ConntrackdStats} from '../../../src/core/conntrack/stats.js'
import {HaError} from '../../../src/core/errors.js'

export type FakeState = {
  conf: ConntrackdConf | Error
  running: boolean
  kernel: number
  external: number
  internal: number
  /** The other node's internal cache (what `-n` brings over). */
  peerInternal: number
  /** undefined = conntrackd has no LogFile. */
  log?: string
  /** What `-c` does: commit (default), skip (another commit in progress), nothing at all (exit 0 regardless), or commit without logging it. */
  commitBehaviour: 'commit' | 'skip' | 'silent' | 'unlogged'
  /** conntrackd ignores `-f` (logs "commit still in progress", exits 0), as 1.4.7 does after a one-pass commit. */
  flushIgnored: boolean
  /** Action -> error thrown instead of running it. */
  fail: Partial<Record<ConntrackdAction | 'start', HaError>>
  /** Flows arriving in the external cache per stats() call after `-n` (a resync in flight). */
  arrivePerPoll: number
  pendingResync: number
  requests: string[]
}

export function fakeConf(body = 'Mode FTFW {\n}', extra = 'LogFile /var/log/ct.log'): ConntrackdConf {
  return parseConntrackdConf(`Sync {\n ${body}\n UDP {\n Interface e\n }\n}\nGeneral {\n ${extra}\n UNIX {\n Path /run/ct.sock\n }\n}\n`).conf
}

/** n flows as conntrackd -i/-e prints them; flow i is the same on every node. */
export function fakeFlowLines(n: number, from = 0): string {
  const out: string[] = []
  for (let i = from; i < from + n; i++) out.push(`tcp      6 ESTABLISHED src=192.168.1.${100 + (i % 100)} dst=203.0.113.${1 + Math.floor(i / 100) % 250} sport=${40000 + i} dport=443 src=203.0.113.${1 + Math.floor(i / 100) % 250} dst=198.51.100.7 sport=443 dport=${40000 + i} [ASSURED] mark=0 [active since 3s]`)
  return out.map((l) => `${l}\n`).join('')
}

export function fakeConntrackd(over: Partial<FakeState> = {}): {client: ConntrackdClient; state: FakeState} {
  const state: FakeState = {conf: fakeConf(), running: true, kernel: 0, external: 0, internal: 0, peerInternal: 0, log: '', commitBehaviour: 'commit', flushIgnored: false, fail: {}, arrivePerPoll: 0, pendingResync: 0, requests: [], ...over}
  const notRunning = () => new HaError('conntrackd -C /etc/ct.conf -s: conntrackd is not running (no socket at /run/ct.sock)', 69, {kind: 'not-running', hint: 'start it'})
  const result = (flag: string): ExecResult => ({argv: ['conntrackd', '-C', '/etc/ct.conf', flag], code: 0, signal: null, stdout: '', stderr: '', timedOut: false, durationMs: 1})
  const client: ConntrackdClient = {
    configPath: '/etc/ct.conf',
    conf() {
      if (state.conf instanceof Error) throw state.conf
      return state.conf
    },
    confProblems: () => [],
    async request(action) {
      state.requests.push(action)
      const f = state.fail[action]
      if (f) throw f
      if (!state.running) throw notRunning()
      const ext = !(state.conf instanceof Error) && state.conf.externalCache
      if (action === 'commit' && ext) {
        if (state.commitBehaviour === 'skip') state.log = (state.log ?? '') + 'commit already in progress, skipping\n'
        else if (state.commitBehaviour === 'unlogged') state.kernel += state.external
        else if (state.commitBehaviour === 'commit') {
          state.kernel += state.external
          if (state.log !== undefined) state.log += `committing all external caches\nCommitted ${state.external} new entries\n`
        }
      }
      if (action === 'flush' && state.flushIgnored && state.log !== undefined) state.log += 'ignoring flush command, commit still in progress\n'
      if (action === 'request-resync') state.pendingResync = state.peerInternal
      return result(action)
    },
    async stats(): Promise<ConntrackdStats> {
      state.requests.push('stats')
      if (!state.running) throw notRunning()
      if (state.pendingResync > 0) {
        const n = Math.min(state.arrivePerPoll, state.pendingResync)
        state.external += n
        state.pendingResync -= n
      }
      const c = (active: number) => ({active, created: active, createdFailed: 0, updated: 0, updatedFailed: 0, destroyed: 0, destroyedFailed: 0})
      const inject = !(state.conf instanceof Error) && !state.conf.externalCache
      return {internal: c(state.internal), internalBypass: false, external: inject ? {...c(0), active: undefined} : c(state.external), externalInject: inject}
    },
    async dump(cache) {
      state.requests.push(`dump-${cache}`)
      if (!state.running) throw notRunning()
      await client.stats() // a resync in flight moves on as with -s
      return fakeFlowLines(cache === 'internal' ? state.internal : state.external)
    },
    kernelCount: () => state.kernel,
    logOffset: () => state.log?.length,
    logSince: (offset) => state.log?.slice(offset),
    async isRunning() {
      return state.running
    },
    async start() {
      state.requests.push('start')
      if (state.fail.start) throw state.fail.start
      state.running = true
      return {staleLockRemoved: false}
    },
  }
  return {client, state}
}
