import {monoMs} from '../adapters/clock.js'
import {createConntrackd, readKernelFlows} from '../adapters/conntrackd.js'
import type {Exec} from '../adapters/exec.js'
import type {Logger} from '../adapters/log.js'
import type {Peer} from '../adapters/peer.js'
import {type ConntrackBackend, type ConntrackdSettings, readPeerFlows} from '../app/steps/conntrack.js'

/** The real conntrackd behind the conntrackd steps: its CLI here, and the MASTER's flows over the peer port. */
export function realConntrackBackend(s: ConntrackdSettings, exec: Exec, log?: Logger, peer?: Pick<Peer, 'stream'>): ConntrackBackend {
  return {
    // A fresh client per step: it reads conntrackd.conf once, so a long-running daemon sees edits.
    client: () => createConntrackd({exec, binary: s.binary, config: s.config, timeoutMs: s.timeoutMs, log}),
    peerFlows: () => (peer ? () => readPeerFlows(peer) : undefined),
    kernelFlows: () => readKernelFlows(exec, s.timeoutMs),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    mono: () => monoMs(),
  }
}
