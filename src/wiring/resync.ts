import {createExec} from '../adapters/exec.js'
import {readTextOrUndefined} from '../adapters/files.js'
import {acquireLock} from '../adapters/lock.js'
import type {Logger} from '../adapters/log.js'
import {monoMs} from '../adapters/clock.js'
import type {ResyncDeps} from '../app/resync.js'
import {conntrackdSettings, makeConntrackExecutors} from '../app/steps/conntrack.js'
import type {Config} from '../config/schema.js'
import {realConntrackBackend} from './conntrack.js'
import {peerFromConfig} from '../adapters/peer.js'

/** The real adapters behind `resync`: the conntrackd CLI, the state file, the node's lock. */
export function createResyncDeps(config: Config, log: Logger): ResyncDeps {
  const backend = realConntrackBackend(conntrackdSettings(config), createExec(log), log, peerFromConfig(config, log))
  return {
    config,
    log,
    executors: makeConntrackExecutors(backend),
    client: backend.client(),
    readState: readTextOrUndefined,
    lock: acquireLock,
    mono: monoMs,
  }
}
