import {systemClock} from '../adapters/clock.js'
import {fifoInode, openFifo} from '../adapters/fifo.js'
import {readKeepalivedInstances} from '../adapters/keepalived-dbus.js'
import {keepalivedAlive, parentIsKeepalived} from '../adapters/keepalived-process.js'
import type {Logger} from '../adapters/log.js'
import type {Config} from '../config/schema.js'
import type {DaemonDeps} from '../app/daemon.js'
import {watchWan} from '../adapters/wan-watch.js'
import {SILENCE_TABLE} from '../adapters/wan-silence.js'
import {handleTransition, readObserved} from '../app/handle-transition.js'
import {lanPrefixConfig} from '../core/transition/lan-prefix.js'
import {createWanObserver} from '../app/wan-observer.js'
import type {TransitionNote} from '../app/metrics/metrics-service.js'
import {startDaemonServices} from './services.js'
import {createTransitionDeps} from './transition.js'

/** The real adapters behind `ha-tool daemon`. */
export function createDaemonDeps(config: Config, log: Logger): DaemonDeps & {close(): void; parentIsKeepalived(): boolean} {
  const base = createTransitionDeps(config, log, {resident: true})
  // The resident view of the WAN: read once, then kept current by kernel change events.
  const observer = createWanObserver(() => readObserved(base))
  const transitionDeps = {...base, observer}
  const parent = process.ppid
  // Services that count transitions (metrics) hear of each one here, whatever the daemon's rules around it.
  const observers: Array<(t: TransitionNote) => void> = []
  const tell = (t: TransitionNote) => { for (const o of observers) o(t) }
  return {
    config,
    log,
    transition: async (req) => {
      try {
        const r = await handleTransition(transitionDeps, req)
        tell({role: req.role, source: req.source, steps: r.steps})
        return r
      } catch (error) {
        tell({role: req.role, source: req.source, steps: []})
        throw error
      }
    },
    openFifo,
    fifoInode,
    keepalivedAlive: () => keepalivedAlive(config.keepalived.pidfile),
    // keepalived gone: we were reparented (to init or a subreaper).
    parentAlive: () => process.ppid === parent,
    parentIsKeepalived,
    keepalivedInstances: () => readKeepalivedInstances({timeoutMs: config.wan.dbus_timeout_ms}),
    startServices: () => startDaemonServices(config, log, {onTransition: (fn) => observers.push(fn)}),
    clock: {now: systemClock.now, after: (ms, fn) => { const t = setTimeout(fn, ms); return () => clearTimeout(t) }},
    watchWan: (onChange) => watchWan({nft: config.wan.link === 'keep-up' && config.wan.silence === 'nftables', scope: {dev: config.wan.interface, table: config.wan.table, silenceTable: SILENCE_TABLE, lan6: lanPrefixConfig(config)}}, (lost) => {
      observer.changed(lost)
      if (lost) log.warn('a kernel change watcher (ip monitor / nft monitor) stopped: reading the WAN state on every transition from now on')
      onChange()
    }),
    close: () => transitionDeps.close(),
  }
}
