import type {FifoReader} from '../adapters/fifo.js'
import type {KeepalivedInstance} from '../adapters/keepalived-dbus.js'
import type {Logger} from '../adapters/log.js'
import type {Config} from '../config/schema.js'
import {errorLine} from '../core/errors.js'
import {initialDaemonState, step} from '../core/daemon/machine.js'
import type {DaemonAction, DaemonEvent, DaemonRequest} from '../core/daemon/types.js'
import type {Role} from '../core/transition/types.js'
import type {TransitionRequest, TransitionResult} from './handle-transition.js'

export type DaemonService = {
  name: string
  stop(): Promise<void>
  /** Told after every applied transition (the health monitor re-checks at once: a new BACKUP stops WAN probes). */
  afterTransition?(role: Role): void
}

/** Time for the runner: the real timers in production, a hand-advanced clock in test/app. */
export type DaemonClock = {
  now(): number
  /** Calls fn after ms; returns a cancel function. */
  after(ms: number, fn: () => void): () => void
}

export type DaemonDeps = {
  config: Config
  log: Logger
  transition(req: TransitionRequest): Promise<TransitionResult>
  openFifo(path: string, mode: 'reader' | 'holder', onLine: (line: string) => void): FifoReader
  fifoInode(path: string): number | undefined
  /** Service mode: keepalived per its pid file (undefined: no pid file to go by). */
  keepalivedAlive(): boolean | undefined
  /** Child mode: whether keepalived, our parent, is still there. */
  parentAlive(): boolean
  keepalivedInstances(): Promise<KeepalivedInstance[]>
  /** Starts the resident services (health monitor, lease schedule) that the config enables. */
  startServices(): Promise<DaemonService[]>
  clock: DaemonClock
  /** Subscribes to kernel changes on the WAN side (rules, links, addresses, routes, the silence table). */
  watchWan?(onChange: () => void): {stop(): void}
}

export type DaemonOptions = {
  /** The notify FIFO, or undefined to run only the services. */
  fifo?: string
  /** child: keepalived's notify_fifo_script (FIFO from argv); service: its own systemd unit. */
  mode: 'child' | 'service'
  pollMs?: number
  /** Child mode: how long to keep reading after SIGTERM when keepalived does not close the FIFO. */
  termGraceMs?: number
}

export type DaemonSummary = {mode: 'child' | 'service'; fifo?: string; lines: number; transitions: number; lastRole?: Role; watchdogStops: number; reconciled: number}

/**
 * The resident mode: a thin runner around the pure rules in core/daemon/machine.ts. It turns
 * what happens (FIFO lines, finished transitions, kernel changes, timers, keepalived's death)
 * into events, and performs the actions the rules return. Reads keepalived's notify FIFO
 * (ordered, unlike notify scripts), converges at start-up to the role keepalived reports over
 * D-Bus, and (as its own service) notices a keepalived that died without a STOP.
 */
export function startDaemon(deps: DaemonDeps, opts: DaemonOptions): {done: Promise<DaemonSummary>; terminate(): void} {
  const {config, log, clock} = deps
  const pollMs = opts.pollMs ?? 500
  const sleep = (ms: number) => new Promise<void>((resolve) => { clock.after(ms, resolve) })
  let state = initialDaemonState({instance: config.keepalived.instance, watchdog: config.keepalived.watchdog})
  let services: DaemonService[] = []
  let inflight: Promise<void> | undefined
  let cancelTimer: (() => void) | undefined
  let wake: () => void = () => {}
  const terminated = new Promise<void>((resolve) => { wake = resolve })

  const dispatch = (event: DaemonEvent): void => {
    const r = step(state, event, clock.now())
    state = r.state
    for (const a of r.actions) perform(a)
  }
  const perform = (a: DaemonAction): void => {
    switch (a.type) {
      case 'log': log[a.level](a.fields ?? {}, a.msg); break
      case 'transition': inflight = apply(a.request); break
      case 'after-transition': for (const s of services) s.afterTransition?.(a.role); break
      case 'timer':
        cancelTimer?.()
        cancelTimer = a.at === undefined ? undefined : clock.after(Math.max(0, a.at - clock.now()), () => { cancelTimer = undefined; dispatch({type: 'timer'}) })
        break
    }
  }
  const apply = async (request: DaemonRequest): Promise<void> => {
    let done: DaemonEvent
    try {
      const r = await deps.transition(request)
      done = {type: 'transition-done', request, exit: r.exit, steps: r.steps.map((x) => x.kind)}
    } catch (error) {
      done = {type: 'transition-done', request, steps: [], error: errorLine(error)}
    }
    inflight = undefined
    dispatch(done) // may start the pending request (inflight again)
  }
  const drain = async () => { while (inflight) await inflight }
  const onLine = (line: string) => dispatch({type: 'fifo-line', line})

  const convergeFromDbus = async () => {
    if (!config.keepalived.dbus) return
    try {
      const role = pickRole(await deps.keepalivedInstances(), config.keepalived.instance)
      dispatch({type: 'dbus-role', role})
    } catch (error) {
      log.info({error: errorLine(error)}, 'keepalived state over D-Bus unavailable at start-up; waiting for the FIFO')
    }
  }

  // Reconcile: when the kernel side changes (a rule deleted by hand or by networkd, a link
  // flap, a firewall reload that dropped the silence table), converge again to the last role.
  const watch = deps.watchWan?.(() => dispatch({type: 'kernel-change'}))

  const readChild = async (fifo: string) => {
    const reader = deps.openFifo(fifo, 'reader', onLine)
    // After SIGTERM keepalived still writes the STOP events, then closes: read to EOF, bounded.
    const grace = terminated.then(() => sleep(opts.termGraceMs ?? 3000))
    await Promise.race([reader.done, grace])
    reader.close()
    if (!deps.parentAlive()) dispatch({type: 'keepalived-gone', why: 'keepalived (our parent) exited'})
  }

  const readService = async (fifo: string) => {
    let waitingLogged = false
    while (!state.terminating) {
      const inode = deps.fifoInode(fifo)
      if (inode === undefined) {
        if (!waitingLogged) log.info({fifo}, 'waiting for keepalived to create the notify FIFO')
        waitingLogged = true
        await Promise.race([sleep(pollMs), terminated])
        continue
      }
      waitingLogged = false
      let reader: FifoReader
      try {
        reader = deps.openFifo(fifo, 'holder', onLine)
      } catch (error) {
        log.error({fifo, error: errorLine(error)}, 'cannot open the notify FIFO')
        await Promise.race([sleep(pollMs), terminated])
        continue
      }
      log.info({fifo}, 'reading the notify FIFO')
      while (!state.terminating) {
        await Promise.race([sleep(pollMs), terminated])
        if (state.terminating) break
        dispatch({type: 'watchdog-tick', alive: deps.keepalivedAlive()})
        if (deps.fifoInode(fifo) !== inode) { log.info({fifo}, 'notify FIFO recreated (keepalived reload): reopening'); break }
      }
      reader.close()
    }
  }

  const done = (async (): Promise<DaemonSummary> => {
    services = await deps.startServices()
    const startup = convergeFromDbus()
    try {
      if (opts.fifo) await (opts.mode === 'child' ? readChild(opts.fifo) : readService(opts.fifo))
      else await terminated
    } finally {
      watch?.stop()
      cancelTimer?.()
      await startup
      await drain()
      for (const s of services) {
        try { await s.stop() } catch (error) { log.warn({service: s.name, error: errorLine(error)}, 'service did not stop cleanly') }
      }
    }
    const c = state.counters
    return {mode: opts.mode, fifo: opts.fifo, lines: c.lines, transitions: c.transitions, ...(state.lastRole ? {lastRole: state.lastRole} : {}), watchdogStops: c.watchdogStops, reconciled: c.reconciled}
  })()

  return {done, terminate: () => { dispatch({type: 'terminate'}); wake() }}
}

/** The role of the instance (or, for "" or a sync group, of all instances when they agree). */
export function pickRole(instances: readonly KeepalivedInstance[], instance: string): Role | undefined {
  const named = instances.find((i) => i.name === instance)
  if (named) return named.role
  const roles = new Set(instances.map((i) => i.role))
  return roles.size === 1 ? [...roles][0] : undefined
}
