import type {Config} from '../../config/schema.js'
import {type DoctorCheck, pass, warn} from './types.js'

/**
 * Whether a keep-up MASTER that takes over without a delegated prefix has networkd restart its DHCP
 * clients (the dhcp.restart or renew step of core/transition/plan.ts): ha-tool talks to networkd only with
 * wan.renew or wan.link_via = "networkd". Without that, the new MASTER waits for networkd's DHCPv6
 * Solicit backoff, which grew while the BACKUP was silenced (up to SOL_MAX_RT, 3600 s; docs/ipv6.md).
 */
export function dhcpv6WaitsForBackoff(wan: Pick<Config['wan'], 'link' | 'ipv6' | 'dhcpv6' | 'renew' | 'link_via'>): boolean {
  return wan.link === 'keep-up' && wan.ipv6 && wan.dhcpv6 && wan.renew === 'none' && wan.link_via !== 'networkd'
}

export const wanDhcpv6Restart: DoctorCheck = {
  id: 'wan-dhcpv6-restart',
  title: 'a keep-up MASTER restarts DHCPv6 for its delegated prefix',
  run(ctx) {
    const w = ctx.config.wan
    if (dhcpv6WaitsForBackoff(w)) {
      return warn('wan.link = "keep-up" with DHCPv6 on (wan.ipv6, wan.dhcpv6) and wan.renew = "none": a node promoted after a long BACKUP waits for networkd\'s DHCPv6 Solicit backoff (up to 3600 s) for its delegated prefix',
        'set wan.renew = "networkd"')
    }
    const why = w.link !== 'keep-up' ? `wan.link = "${w.link}": the link comes up fresh on MASTER`
      : !(w.ipv6 && w.dhcpv6) ? 'no DHCPv6 on the WAN (wan.ipv6 or wan.dhcpv6 false)'
        : `wan.${w.renew === 'networkd' ? 'renew' : 'link_via'} = "networkd": ha-tool restarts the DHCP clients of a MASTER without a prefix`
    return pass(why)
  },
}
