import type {FifoReader, KeepalivedInstance, Logger} from '../ports.js'
import type {Config} from '../config/schema.js'
import {errorLine} from '../core/errors.js'
import {initialDaemonState, step} from '../core/daemon/machine.js'
import type {DaemonAction, DaemonEvent, DaemonRequest} from '../core/daemon/types.js'
import type {Role} from '../core/transition/types.js'
import type {TransitionRequest, TransitionResult} from './handle-transition.js'
import {pickInstanceRole} from '../core/keepalived/pick-role.js'

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
  /** Service mode: whether keepalived runs here (process table, the pid file as a hint; undefined: cannot tell). */
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

/** After EOF on the FIFO: how often, and how far apart, the process table is asked before a reload is assumed. */
const EOF_CONFIRM_TRIES = 10
const EOF_CONFIRM_MS = 25

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
      const role = pickInstanceRole(await deps.keepalivedInstances(), config.keepalived.instance)
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

  // Service mode reads the FIFO read-only: keepalived holds the only write end, so EOF means it
  // closed it (it exited, or it is recreating the FIFO on reload). The process table tells which,
  // at once: the peer takes over ~3 x advert_int after a kill -9, and cleaning up after that costs
  // the LAN clients ~5 s (docs/watchdog.md), so this cannot wait for the next poll.
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
        reader = deps.openFifo(fifo, 'reader', onLine)
      } catch (error) {
        log.error({fifo, error: errorLine(error)}, 'cannot open the notify FIFO')
        await Promise.race([sleep(pollMs), terminated])
        continue
      }
      log.debug({fifo}, 'reading the notify FIFO')
      let eof = false
      void reader.done.then(() => { eof = true })
      while (!state.terminating && !eof) {
        await Promise.race([sleep(pollMs), terminated, reader.done])
        if (state.terminating || eof) break
        // The backstop: a FIFO someone else holds open never shows EOF.
        dispatch({type: 'watchdog-tick', alive: deps.keepalivedAlive()})
        if (deps.fifoInode(fifo) !== inode) { log.info({fifo}, 'notify FIFO recreated (keepalived reload): reopening'); break }
      }
      reader.close()
      if (eof && !state.terminating) await afterEof(fifo, inode)
    }
  }

  /** The FIFO's writer closed: keepalived died (act now) or reloads (reopen); else wait for it to return. */
  const afterEof = async (fifo: string, inode: number) => {
    // A killed keepalived's processes may linger in the table for a moment after their fds close.
    for (let i = 0; i < EOF_CONFIRM_TRIES && !state.terminating; i++) {
      if (deps.fifoInode(fifo) !== inode) { log.info({fifo}, 'notify FIFO recreated (keepalived reload): reopening'); return }
      const alive = deps.keepalivedAlive()
      if (alive === false) {
        dispatch({type: 'keepalived-gone', why: 'the notify FIFO closed and no keepalived process is left'})
        break
      }
      await Promise.race([sleep(EOF_CONFIRM_MS), terminated])
    }
    // Until keepalived (re)opens its FIFO, a read-only open sees EOF at once: wait for it to run.
    while (!state.terminating) {
      const alive = deps.keepalivedAlive()
      dispatch({type: 'watchdog-tick', alive})
      if (alive !== false) return
      await Promise.race([sleep(pollMs), terminated])
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

/**
 * keepalived's notify_fifo_script only when keepalived itself started us with the FIFO; anything
 * else (a shell, systemd, a test) gets the service mode, which outlives its parent and keeps the watchdog.
 */
export function daemonMode(fifoArg: string | undefined, parentIsKeepalived: () => boolean): 'child' | 'service' {
  return fifoArg !== undefined && parentIsKeepalived() ? 'child' : 'service'
}

