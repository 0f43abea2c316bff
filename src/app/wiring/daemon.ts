import {systemClock} from '../../adapters/clock.js'
import {fifoInode, openFifo} from '../../adapters/fifo.js'
import {readKeepalivedInstances} from '../../adapters/keepalived-dbus.js'
import {keepalivedAlive} from '../../adapters/keepalived-process.js'
import type {Logger} from '../../adapters/log.js'
import type {Config} from '../../config/schema.js'
import type {DaemonDeps} from '../daemon.js'
import {handleTransition} from '../handle-transition.js'
import {startDaemonServices} from './services.js'
import {createTransitionDeps} from './transition.js'

/** The real adapters behind `ha-tool daemon`. */
export function createDaemonDeps(config: Config, log: Logger): DaemonDeps & {close(): void} {
  const transitionDeps = createTransitionDeps(config, log)
  const parent = process.ppid
  return {
    config,
    log,
    transition: (req) => handleTransition(transitionDeps, req),
    openFifo,
    fifoInode,
    keepalivedAlive: () => keepalivedAlive(config.keepalived.pidfile),
    // keepalived gone: we were reparented (to init or a subreaper).
    parentAlive: () => process.ppid === parent,
    keepalivedInstances: () => readKeepalivedInstances({timeoutMs: config.wan.dbus_timeout_ms}),
    startServices: () => startDaemonServices(config, log),
    sleep: systemClock.sleep,
    close: () => transitionDeps.close(),
  }
}
