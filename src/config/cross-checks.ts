import {dhcpRange, inSubnet} from '../core/examples/dhcp-range.js'
import {otherOf} from '../core/examples/site.js'
import type {Config} from './schema.js'

/**
 * Rules between keys, checked once every key is valid on its own: the LAN's own address, the
 * other node's (DESIGN.md numbers them .1 and .2, odd and even) and the VIP must fit in one
 * subnet, and with dnsmasq on, that subnet must leave room for a DHCP range.
 */
export function crossKeyProblems(config: Config): Array<{path: string[]; message: string}> {
  const out: Array<{path: string[]; message: string}> = []
  const address = config.lan.address
  if (address === '') return out
  if (!inSubnet(config.lan.vip, address)) {
    out.push({path: ['lan', 'vip'], message: `the VIP ${config.lan.vip} is outside lan.address's subnet (${address}): clients could not reach it`})
    return out
  }
  const self = address.replace(/\/\d+$/, '')
  if (self === config.lan.vip) out.push({path: ['lan', 'vip'], message: `the VIP ${config.lan.vip} is this node's own address (lan.address)`})
  const range = dhcpRange(address, [otherOf(self), config.lan.vip])
  if (config.dnsmasq.enabled && 'error' in range) out.push({path: ['lan', 'address'], message: `${address}: ${range.error} (dnsmasq.enabled = true)`})
  return out
}

