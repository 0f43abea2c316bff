import {int, list, str} from '../spec.js'

const argv = (v: string[]) => (v.length === 0 || v[0] === '' ? 'a non-empty argv, program first' : undefined)
const noSpace = (v: string) => (/[\s\0]/.test(v) || v.startsWith('-') ? 'an ssh destination like "root@192.168.190.2" (no spaces, not starting with "-")' : undefined)

/**
 * The one way to reach the other node: ssh in BatchMode with host keys always checked. Leases,
 * `status --peer`, doctor and the failback check all go through it (src/adapters/peer.ts).
 */
export const peer = {
  destination: str('root@192.168.190.2', 'ssh destination of the other node (user@address on the sync link)', {check: noSpace}),
  port: int(22, 1, 65535, 'sshd port on the peer'),
  known_hosts: str('', 'known_hosts file holding the peer\'s host key (StrictHostKeyChecking=yes: an unknown or changed key fails); "" = ssh\'s default files'),
  identity: str('', 'private key for ssh to the peer; "" = ssh\'s default identities'),
  connect_timeout_ms: int(3000, 100, 60000, 'how long the ssh connection itself may take'),
  timeout_ms: int(5000, 100, 600000, 'hard bound of one call to the peer, transfer included: ssh and everything it started are killed (process group) when it runs out, even if a child keeps the pipes open'),
  command: list(['/usr/sbin/ha-tool'], 'ha-tool on the peer, as argv (with the forced-command authorized_keys line the peer runs its own ha-tool whatever this says)', argv),
  config: str('', 'config file passed with --config to ha-tool on the peer; "" = the peer\'s default'),
} as const
