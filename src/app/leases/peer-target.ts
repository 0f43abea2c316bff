import type {SshTarget} from '../../ports.js'
import type {Config} from '../../config/schema.js'

/**
 * How to reach the peer, from the config: the one place the lease code resolves it (today the
 * dnsmasq.peer / ssh_* keys; a [peer] section would be read here alone).
 */
export function peerTarget(config: Config): SshTarget {
  const c = config.dnsmasq
  return {destination: c.peer, port: c.ssh_port, key: c.ssh_key, knownHosts: c.ssh_known_hosts, timeoutMs: c.ssh_timeout_ms}
}
