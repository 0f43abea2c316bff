import type {IpRoute} from '../../adapters/iproute.js'
import {HaError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import {parseKeepalivedVips, planVipRelease} from '../../core/keepalived/vips.js'
import type {ExecutorsFor} from './types.js'

/**
 * `vip.release`: after keepalived died without a STOP, its VIP (and VMAC) stay on this node
 * and keep attracting LAN clients that this node no longer routes. keepalived cannot clean up
 * after itself; the daemon's watchdog does, from the addresses in keepalived.conf.
 */
export function createVipExecutors(ip: IpRoute, readText: (path: string) => string): ExecutorsFor<'vip.release'> {
  return {
    'vip.release': async ({args}) => {
      const path = args.config
      let conf: string
      try {
        conf = readText(path)
      } catch (error) {
        throw new HaError(`cannot read ${path} to find keepalived's VIPs: ${(error as Error).message}`, ExitCode.FAILED, {hint: 'set keepalived.config'})
      }
      const vips = parseKeepalivedVips(conf)
      if (vips.length === 0) return {skipped: true, detail: `no virtual_ipaddress in ${path}`}
      const plan = planVipRelease(vips, await ip.addresses() as never[])
      for (const dev of plan.links) await ip.linkDel(dev)
      for (const a of plan.addresses) await ip.addrDel(a.address, a.dev)
      const done = [...plan.links.map((l) => `VMAC ${l}`), ...plan.addresses.map((a) => `${a.address} on ${a.dev}`)]
      return done.length > 0 ? {detail: `released ${done.join(', ')}`} : {skipped: true, detail: 'no VIP held here'}
    },
  }
}
