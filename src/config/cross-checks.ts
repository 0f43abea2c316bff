import {dhcpRange, inSubnet} from '../core/examples/dhcp-range.js'
import {otherOf} from '../core/examples/site.js'
import type {Config} from './schema.js'

export type CrossProblem = {path: [string, string]; keys: string[]; message: string}

/** Where maintenance_file may live besides state.dir: the persistent place the docs suggest. */
export const PERSISTENT_DIR = '/var/lib/ha-tool'

/**
 * Rules between keys, so `config validate` refuses what a command would refuse (or silently
 * get wrong) later: each names the key to fix and the keys it was compared with.
 */
export function crossProblems(c: Config): CrossProblem[] {
  const out: CrossProblem[] = []
  const add = (path: [string, string], keys: string[], message: string) => out.push({path, keys: [path.join('.'), ...keys], message})
  const h = c.health
  if (h.targets.length > 0 && h.min_ok > h.targets.length) {
    add(['health', 'min_ok'], ['health.targets'], `min_ok ${h.min_ok} exceeds the ${h.targets.length} target${h.targets.length === 1 ? '' : 's'}: every check would fail`)
  }
  if (h.timeout_ms >= h.interval_ms) {
    add(['health', 'timeout_ms'], ['health.interval_ms'], `${h.timeout_ms} ms is not shorter than health.interval_ms ${h.interval_ms} (keepalived would kill or skip the check; every check exits 78)`)
  }
  if (c.lan.fallback_table === c.wan.table) add(['lan', 'fallback_table'], ['wan.table'], `must differ from wan.table (${c.wan.table}): the fallback route would share the WAN's table`)
  if (c.lan.fallback_table === 254) add(['lan', 'fallback_table'], [], 'must not be 254 (the main table)')
  if (c.lan.fallback_priority === c.wan.rule_priority) add(['lan', 'fallback_priority'], ['wan.rule_priority'], `must differ from wan.rule_priority (${c.wan.rule_priority}): one rule would replace the other`)
  if (!c.state.dir.startsWith('/')) add(['state', 'dir'], [], `must be an absolute path, not ${JSON.stringify(c.state.dir)} (keepalived starts us in /)`)
  else {
    const inState = (p: string) => p.startsWith(`${c.state.dir.replace(/\/+$/, '')}/`) && !p.split('/').includes('..')
    if (h.track_file !== '' && !inState(h.track_file)) {
      add(['health', 'track_file'], ['state.dir'], `must be a file in state.dir (${c.state.dir}), not ${JSON.stringify(h.track_file)}: it is rewritten as root on every check`)
    }
    const inPersistent = h.maintenance_file.startsWith(`${PERSISTENT_DIR}/`) && !h.maintenance_file.split('/').includes('..')
    if (h.maintenance_file !== '' && !inState(h.maintenance_file) && !inPersistent) {
      add(['health', 'maintenance_file'], ['state.dir'], `must be a file in state.dir (${c.state.dir}) or ${PERSISTENT_DIR}/, not ${JSON.stringify(h.maintenance_file)}: \`maintenance on\` overwrites it as root`)
    }
  }
  lanProblems(c, add)
  if (c.lan.ipv6) {
    if (c.keepalived.instance === '') add(['keepalived', 'instance'], ['lan.ipv6'], 'must name the IPv4 VRRP instance (e.g. "VI_gateway") when lan.ipv6 = true: keepalived then reports two instances and their sync group, and this node must follow one of them')
    if (c.lan.vip6 === '') add(['lan', 'vip6'], ['lan.ipv6'], 'must be set when lan.ipv6 = true (e.g. "fd00:1::1/64"): router advertisements carry its /64, and without a prefix dnsmasq advertises nothing')
    if (c.lan.vip6 !== '' && c.lan.vip6.replace(/\/64$/, '') === c.lan.vip6_link_local) add(['lan', 'vip6'], ['lan.vip6_link_local'], 'must differ from lan.vip6_link_local')
  }
  return out
}

/**
 * The LAN's own address, the other node's (DESIGN.md numbers them .1 and .2, odd and even) and the
 * VIP must fit in one subnet; with dnsmasq on, that subnet must leave room for a DHCP range (the
 * dnsmasq example derives it from lan.address).
 */
function lanProblems(c: Config, add: (path: [string, string], keys: string[], message: string) => void): void {
  const address = c.lan.address
  if (address === '') return
  if (!inSubnet(c.lan.vip, address)) {
    add(['lan', 'vip'], ['lan.address'], `the VIP ${c.lan.vip} is outside lan.address's subnet (${address}): clients could not reach it`)
    return
  }
  const self = address.replace(/\/\d+$/, '')
  if (self === c.lan.vip) add(['lan', 'vip'], ['lan.address'], `the VIP ${c.lan.vip} is this node's own address (lan.address)`)
  const range = dhcpRange(address, [otherOf(self), c.lan.vip])
  if (c.dnsmasq.enabled && 'error' in range) add(['lan', 'address'], ['lan.vip', 'dnsmasq.enabled'], `${address}: ${range.error} (dnsmasq.enabled = true)`)
}
