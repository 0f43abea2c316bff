import {ifnameProblem} from '../../core/iproute/ifname.js'
import {str} from '../spec.js'

const cidr = (v: string) => (v === '' || /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(v) ? undefined : 'an IPv4 address with its prefix length, like "192.168.190.1/29"')

/** The dedicated link between the two nodes (conntrackd replication, ssh): read by `config example`. */
export const sync = {
  interface: str('ens5', 'interface of the dedicated sync link between the two nodes', {check: (v) => (v === '' ? undefined : ifnameProblem(v))}),
  address: str('', 'this node\'s address on the sync link with prefix, e.g. "192.168.190.1/29"; "" = not stated (examples show a placeholder)', {check: cidr}),
} as const
