import type {Logger} from './log.js'
import {createPeer, peerSshArgv, type PeerCallOptions, type PeerResult} from './peer.js'

// The older ssh adapter, kept as a thin face of the peer port (adapters/peer.ts) so callers can
// move over one by one: same argv, same hard timeout, same errors.
export {shellQuote} from './peer.js'

/** How to reach the peer (older shape; new code takes a PeerTarget from [peer]). */
export type SshTarget = {
  destination: string
  port: number
  /** Private key ("" = ssh's default identities). */
  key: string
  /** known_hosts file ("" = ssh's default); host keys are always checked. */
  knownHosts: string
  timeoutMs: number
}

export type SshResult = PeerResult

export type Ssh = {
  /** Runs argv on the peer (each word quoted for its shell). Rejects with exit 69 when ssh itself fails or times out. */
  run(argv: readonly string[], opts?: PeerCallOptions): Promise<SshResult>
}

/** The ssh argv for a target; `options`: extra `-o` options (ssh-channel.ts: a held ControlMaster connection). */
export function sshArgv(t: SshTarget, remote: readonly string[], timeoutMs = t.timeoutMs, options: readonly string[] = []): string[] {
  return peerSshArgv({destination: t.destination, port: t.port, identity: t.key, knownHosts: t.knownHosts, connectTimeoutMs: timeoutMs}, remote, options)
}

export function createSsh(t: SshTarget, log?: Logger, options: readonly string[] = []): Ssh {
  const peer = createPeer({destination: t.destination, port: t.port, identity: t.key, knownHosts: t.knownHosts, connectTimeoutMs: t.timeoutMs, timeoutMs: t.timeoutMs, command: [], config: ''}, log, options)
  return {run: peer.run}
}
