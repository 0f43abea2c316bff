import {exitOf} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import type {PeerRole} from '../core/failback/gate.js'
import {checkFailbackSync} from './conntrack-sync.js'
import type {GateCheck} from './failback-gate.js'
import {type ConntrackBackend, readPeerFlows} from './steps/conntrack.js'
import type {Peer} from '../ports.js'

const ROLES = new Set(['MASTER', 'BACKUP', 'FAULT', 'STOP'])

/**
 * One reading of the by-flows check for the gate: the MASTER's table over the peer port against
 * this node's cache, plus whether the peer answered at all and the role it last applied.
 */
export async function gateCheck(backend: ConntrackBackend, peer: Pick<Peer, 'stream'>, tolerancePercent: number): Promise<GateCheck> {
  let role: string | undefined
  let reached = true
  const peerFlows = async () => {
    try {
      return await readPeerFlows(peer, (r) => { role = r })
    } catch (error) {
      if (exitOf(error) === ExitCode.UNAVAILABLE) reached = false
      throw error
    }
  }
  const status = await checkFailbackSync(
    {client: backend.client(), peerFlows, kernelFlows: () => backend.kernelFlows(), sleep: backend.sleep, mono: backend.mono},
    {waitMs: 0, tolerancePercent},
  )
  return {...status, peerReached: reached, peerRole: role === undefined ? undefined : ROLES.has(role) ? role as PeerRole : 'unknown'}
}
