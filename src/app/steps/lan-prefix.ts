import type {IpRoute} from '../../ports.js'
import type {ExecutorsFor} from './types.js'

/**
 * The delegated LAN prefix on the IPv6 VMAC (core/transition/lan-prefix.ts): dnsmasq's constructor
 * advertises it from the link-local VIP while the address is there, and deprecates it once it goes.
 */
export function createLanPrefixExecutors(ip: Pick<IpRoute, 'addrReplace' | 'addrDel'>): ExecutorsFor<'lan6.prefix.add' | 'lan6.prefix.del'> {
  return {
    'lan6.prefix.add': async ({args}) => {
      await ip.addrReplace(args.address, args.dev)
      return {detail: `${args.address} on ${args.dev} (nodad noprefixroute)`}
    },
    'lan6.prefix.del': async ({args}) => {
      await ip.addrDel(args.address, args.dev)
      return {detail: `${args.address} off ${args.dev}`}
    },
  }
}
