import type {FifoReader} from '../adapters/fifo.js'
import type {KeepalivedInstance} from '../adapters/keepalived-dbus.js'
import type {Logger} from '../adapters/log.js'
import type {Config} from '../config/schema.js'
import {errorLine} from '../core/errors.js'
import {decideEvent} from '../core/keepalived/event.js'
import {parseFifoLine} from '../core/keepalived/fifo-line.js'
import type {Role} from '../core/transition/types.js'
import type {TransitionRequest, TransitionResult} from './handle-transition.js'

export type DaemonService = {
  name: string
  stop(): Promise<void>
  /** Told after every applied transition (the health monitor re-checks at once: a new BACKUP stops WAN probes). */
  afterTransition?(role: Role): void
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
  sleep(ms: number): Promise<void>
  /** Subscribes to kernel changes on the WAN side (rules, links, addresses, routes, the silence table). */
  watchWan?(onChange: () => void): {stop(): void}
  now?(): number
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

/** A reconcile that had to change something more often than this in a minute means someone fights us. */
const RECONCILE_MAX_PER_MINUTE = 6

/**
 * The resident mode. Reads keepalived's notify FIFO (ordered, unlike notify scripts),
 * applies one transition at a time with the latest pending state winning, converges at
 * start-up to the role keepalived reports over D-Bus, and (as its own service) notices a
 * keepalived that died without a STOP and converges to STOP so the node stops routing out
 * the shared WAN.
 */
export function startDaemon(deps: DaemonDeps, opts: DaemonOptions): {done: Promise<DaemonSummary>; terminate(): void} {
  const {config, log} = deps
  const pollMs = opts.pollMs ?? 500
  const summary: DaemonSummary = {mode: opts.mode, fifo: opts.fifo, lines: 0, transitions: 0, watchdogStops: 0, reconciled: 0}
  let terminating = false
  let wake: () => void = () => {}
  const terminated = new Promise<void>((resolve) => { wake = resolve })
  let sawEvent = false
  const names = new Set<string>()

  // One transition at a time; a newer request replaces a pending one (coalescing).
  let pending: TransitionRequest | undefined
  let worker: Promise<void> | undefined
  const enqueue = (req: TransitionRequest) => {
    pending = req
    worker ??= (async () => {
      while (pending) {
        const next = pending
        pending = undefined
        try {
          const r = await deps.transition(next)
          summary.transitions++
          summary.lastRole = next.role
          for (const s of services) s.afterTransition?.(next.role)
          if (next.source === 'reconcile' && r.steps.length > 0) noteRepair(r.steps.map((x) => x.kind))
          log.debug({role: next.role, exit: r.exit, source: next.source}, 'applied')
        } catch (error) {
          log.error({role: next.role, error: errorLine(error)}, 'transition failed')
        }
      }
      worker = undefined
    })()
  }
  const drain = async () => { while (worker) await worker }

  const onLine = (line: string) => {
    summary.lines++
    const parsed = parseFifoLine(line)
    if ('error' in parsed) { log.warn({line}, parsed.error); return }
    if ('ignore' in parsed) { log.debug({line}, `ignored: ${parsed.ignore}`); return }
    const {event} = parsed
    if (config.keepalived.instance === '' && event.name) {
      names.add(`${event.type} ${event.name}`)
      if (names.size === 2) log.warn({seen: [...names]}, 'events for more than one instance or group: set keepalived.instance to the one that drives this node')
    }
    const decision = decideEvent(event, config.keepalived.instance)
    if (decision.action === 'ignore') { log.info({line}, `ignored: ${decision.reason}`); return }
    sawEvent = true
    enqueue({role: decision.role, source: 'fifo', instance: event.name ?? ''})
  }

  const convergeFromDbus = async () => {
    if (!config.keepalived.dbus) return
    try {
      const role = pickRole(await deps.keepalivedInstances(), config.keepalived.instance)
      if (!role) { log.info('keepalived reports no usable role over D-Bus yet; waiting for the FIFO'); return }
      if (sawEvent) return // a FIFO event is newer than what we just read
      log.info({role}, 'start-up: converging to the role keepalived reports')
      enqueue({role, source: 'dbus', instance: config.keepalived.instance})
    } catch (error) {
      log.info({error: errorLine(error)}, 'keepalived state over D-Bus unavailable at start-up; waiting for the FIFO')
    }
  }

  const watchdogStop = (why: string) => {
    if (!config.keepalived.watchdog || summary.lastRole === 'STOP' || pending?.role === 'STOP') return
    summary.watchdogStops++
    log.warn({why}, 'watchdog: keepalived is gone without a STOP; converging to STOP')
    enqueue({role: 'STOP', source: 'watchdog', instance: config.keepalived.instance, releaseVips: true})
  }

  // Reconcile: when the kernel side changes (a rule deleted by hand or by networkd, a link
  // flap, a firewall reload that dropped the silence table), converge again to the last role
  // keepalived reported. Our own changes trigger it too, and then find nothing to do.
  let reconcileTimer: NodeJS.Timeout | undefined
  let repairs: number[] = []
  let pausedUntil = 0
  const now = deps.now ?? Date.now
  const noteRepair = (kinds: string[]) => {
    summary.reconciled++
    const t = now()
    repairs = [...repairs.filter((x) => t - x < 60_000), t]
    log.warn({steps: kinds}, 'reconcile: the WAN drifted from the applied role; converged it again')
    if (repairs.length > RECONCILE_MAX_PER_MINUTE) {
      pausedUntil = t + 60_000
      log.error({repairs: repairs.length}, 'reconcile: something keeps undoing the WAN state (networkd ManageForeignRoutingPolicyRules? a firewall reload?); pausing repairs for a minute')
    }
  }
  const reconcile = () => {
    if (terminating || !summary.lastRole || pending || worker || now() < pausedUntil) return
    enqueue({role: summary.lastRole, source: 'reconcile', instance: config.keepalived.instance})
  }
  const watch = deps.watchWan?.(() => {
    clearTimeout(reconcileTimer)
    reconcileTimer = setTimeout(reconcile, 200)
  })

  const readChild = async (fifo: string) => {
    const reader = deps.openFifo(fifo, 'reader', onLine)
    // After SIGTERM keepalived still writes the STOP events, then closes: read to EOF, bounded.
    const grace = terminated.then(() => deps.sleep(opts.termGraceMs ?? 3000))
    await Promise.race([reader.done, grace])
    reader.close()
    if (!deps.parentAlive()) watchdogStop('keepalived (our parent) exited')
  }

  const readService = async (fifo: string) => {
    let waitingLogged = false
    let deadSeen = false
    while (!terminating) {
      const inode = deps.fifoInode(fifo)
      if (inode === undefined) {
        if (!waitingLogged) log.info({fifo}, 'waiting for keepalived to create the notify FIFO')
        waitingLogged = true
        await Promise.race([deps.sleep(pollMs), terminated])
        continue
      }
      waitingLogged = false
      let reader: FifoReader
      try {
        reader = deps.openFifo(fifo, 'holder', onLine)
      } catch (error) {
        log.error({fifo, error: errorLine(error)}, 'cannot open the notify FIFO')
        await Promise.race([deps.sleep(pollMs), terminated])
        continue
      }
      log.info({fifo}, 'reading the notify FIFO')
      while (!terminating) {
        await Promise.race([deps.sleep(pollMs), terminated])
        if (terminating) break
        const alive = deps.keepalivedAlive()
        if (alive === false && !deadSeen) { deadSeen = true; watchdogStop('keepalived is not running (pid file)') }
        if (alive) deadSeen = false
        if (deps.fifoInode(fifo) !== inode) { log.info({fifo}, 'notify FIFO recreated (keepalived reload): reopening'); break }
      }
      reader.close()
    }
  }

  let services: DaemonService[] = []
  const done = (async (): Promise<DaemonSummary> => {
    services = await deps.startServices()
    const startup = convergeFromDbus()
    try {
      if (opts.fifo) await (opts.mode === 'child' ? readChild(opts.fifo) : readService(opts.fifo))
      else await terminated
    } finally {
      watch?.stop()
      clearTimeout(reconcileTimer)
      await startup
      await drain()
      for (const s of services) {
        try { await s.stop() } catch (error) { log.warn({service: s.name, error: errorLine(error)}, 'service did not stop cleanly') }
      }
    }
    return summary
  })()

  return {done, terminate: () => { terminating = true; wake() }}
}

/** The role of the instance (or, for "" or a sync group, of all instances when they agree). */
export function pickRole(instances: readonly KeepalivedInstance[], instance: string): Role | undefined {
  const named = instances.find((i) => i.name === instance)
  if (named) return named.role
  const roles = new Set(instances.map((i) => i.role))
  return roles.size === 1 ? [...roles][0] : undefined
}
