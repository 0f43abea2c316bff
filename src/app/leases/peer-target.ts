import type {SshTarget} from '../../ports.js'
import type {Config} from '../../config/schema.js'

/**
 * How the lease channel reaches the peer: the [peer] section (its older dnsmasq.peer / ssh_* names
 * are folded into it at load), in the shape the held ssh channel takes.
 */
export function peerTarget(config: Config): SshTarget {
  const p = config.peer
  return {destination: p.destination, port: p.port, key: p.identity, knownHosts: p.known_hosts, timeoutMs: p.timeout_ms}
}
