import type {Config} from '../../config/schema.js'
import {parseSubnets, type SubnetRule} from '../../core/leases/subnets.js'

/** The subnets the merge counts clients in: dnsmasq.subnets, the LAN prefix (lan.address), and any given by hand. */
export function subnetRule(config: Config | undefined, extra: readonly string[] = []): SubnetRule {
  const cidrs = [...(config?.dnsmasq.subnets ?? []), ...(config?.lan.address ? [config.lan.address] : [])]
  return parseSubnets([...cidrs, ...extra])
}
