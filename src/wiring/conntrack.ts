import {monoMs} from '../adapters/clock.js'
import {createConntrackd, remoteConntrackdStats} from '../adapters/conntrackd.js'
import type {Exec} from '../adapters/exec.js'
import type {Logger} from '../adapters/log.js'
import type {ConntrackBackend, ConntrackdSettings} from '../app/steps/conntrack.js'

/** The real conntrackd behind the conntrackd steps: its CLI here, and on the peer through conntrackd.peer_exec. */
export function realConntrackBackend(s: ConntrackdSettings, exec: Exec, log?: Logger): ConntrackBackend {
  return {
    // A fresh client per step: it reads conntrackd.conf once, so a long-running daemon sees edits.
    client: () => createConntrackd({exec, binary: s.binary, config: s.config, timeoutMs: s.timeoutMs, log}),
    peerStats: () => (s.peerExec.length === 0 ? undefined : () => remoteConntrackdStats({exec, via: s.peerExec, binary: s.binary, config: s.peerConfig, timeoutMs: s.timeoutMs})),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    mono: () => monoMs(),
  }
}
