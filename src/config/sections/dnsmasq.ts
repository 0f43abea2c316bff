import {int, str} from '../spec.js'

export const dnsmasq = {
  leases: str('/var/lib/misc/dnsmasq.leases', 'this node\'s dnsmasq lease file (--dhcp-leasefile)'),
  peer: str('root@192.168.190.2', 'ssh destination of the other node'),
  peer_leases: str('', 'the lease file on the peer; "" = same path as leases'),
  ssh_key: str('', 'private key for ssh to the peer; "" = ssh\'s default'),
  ssh_timeout_ms: int(5000, 100, 120000, 'connect and transfer timeout for ssh to the peer'),
  lease_max: int(0, 0, 4294967295, 'dnsmasq\'s dhcp-lease-max; a merge with more leases is refused (0 = no limit)'),
} as const
