import {ifnameProblem} from '../../core/iproute/ifname.js'
import {int, str} from '../spec.js'

const ipv4 = (what: string) => (v: string) => (v === '' || /^\d{1,3}(\.\d{1,3}){3}$/.test(v) ? undefined : `an IPv4 address (${what})`)
const cidr = (v: string) => (v === '' || /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(v) ? undefined : 'an IPv4 address with its prefix length, like "192.168.1.1/24"')

/** The LAN side of the pair (DESIGN.md section 1): read by `config example` and `doctor`, never changed by ha-tool. */
export const lan = {
  interface: str('ens6', 'LAN interface, the one keepalived\'s VRRP instance runs on', {check: (v) => (v === '' ? undefined : ifnameProblem(v))}),
  vip: str('192.168.1.3', 'the virtual IP LAN clients use as gateway and DNS server', {check: ipv4('the VIP')}),
  address: str('', 'this node\'s own LAN address with prefix, e.g. "192.168.1.1/24"; "" = not stated (examples show a placeholder)', {check: cidr}),
  vrid: int(60, 1, 255, 'keepalived virtual_router_id; with use_vmac the VIP interface is vrrp.<vrid>'),
  fallback_table: int(240, 1, 4294967295, 'table holding the fallback default route via the VIP (networkd [Route] Table=)'),
  fallback_priority: int(32780, 1, 4294967295, 'priority of the "iif lo lookup <fallback_table>" rule (networkd [RoutingPolicyRule])'),
} as const
