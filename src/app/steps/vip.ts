import type {IpRoute} from '../../ports.js'
import {errorLine} from '../../core/errors.js'
import {parseKeepalivedVips, planVipRelease, planVmacRelease} from '../../core/keepalived/vips.js'
import type {ExecutorsFor} from './types.js'

/**
 * `vip.release`: after keepalived died without a STOP, its VIP (and VMAC) stay on this node
 * and keep attracting LAN clients that this node no longer routes. keepalived cannot clean up
 * after itself; the daemon's watchdog does: the addresses keepalived.conf names when it can be
 * read, else keepalived's VMAC interfaces as the kernel shows them.
 */
export function createVipExecutors(ip: IpRoute, readText: (path: string) => string): ExecutorsFor<'vip.release'> {
  return {
    'vip.release': async ({args}, {log}) => {
      const path = args.config
      let vips: string[] | undefined
      let why = ''
      try {
        vips = parseKeepalivedVips(readText(path))
        if (vips.length === 0) why = `no virtual_ipaddress in ${path}`
      } catch (error) {
        why = `cannot read ${path} (${errorLine(error)})`
      }
      const addrs = await ip.addresses() as Parameters<typeof planVipRelease>[1]
      const fromConf = vips !== undefined && vips.length > 0
      if (!fromConf) log.warn({config: path}, `${why}: releasing keepalived's VMAC interfaces (vrrp.*) found in the kernel`)
      const plan = fromConf ? planVipRelease(vips!, addrs) : planVmacRelease(addrs)
      for (const dev of plan.links) await ip.linkDel(dev)
      for (const a of plan.addresses) await ip.addrDel(a.address, a.dev)
      const done = [...plan.links.map((l) => `VMAC ${l}`), ...plan.addresses.map((a) => `${a.address} on ${a.dev}`)]
      const source = fromConf ? `from ${path}` : `from the kernel; ${why}`
      return done.length > 0 ? {detail: `released ${done.join(', ')} (${source})`} : {skipped: true, detail: `no VIP held here (${source})`}
    },
  }
}
