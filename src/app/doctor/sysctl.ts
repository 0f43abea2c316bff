import {type DoctorCheck, fail, pass, skip, warn} from './types.js'

/**
 * Forwarding must be on; and strict reverse-path filtering drops LAN clients' packets, which
 * arrive on the VMAC interface while the route back to them is via the LAN interface.
 */
export const sysctl: DoctorCheck = {
  id: 'sysctl',
  title: 'ip_forward on, rp_filter not strict',
  run(ctx) {
    const read = (key: string) => ctx.fs.read(`/proc/sys/net/ipv4/${key}`)?.trim()
    const forward = read('ip_forward')
    if (forward === undefined) return skip('no /proc/sys under the root')
    if (forward !== '1') return fail('net.ipv4.ip_forward = 0: this node routes nothing', 'sysctl -w net.ipv4.ip_forward=1, and set it in /etc/sysctl.d/ha-tool.conf')
    // lan.ipv6: the MASTER routes the LAN's IPv6 too.
    const forward6 = ctx.fs.read('/proc/sys/net/ipv6/conf/all/forwarding')?.trim()
    if (ctx.config.lan.ipv6 && forward6 !== undefined && forward6 !== '1') return fail('net.ipv6.conf.all.forwarding = 0 with lan.ipv6 = true: this node routes no IPv6 for the LAN', 'sysctl -w net.ipv6.conf.all.forwarding=1, and set it in /etc/sysctl.d/ha-tool.conf')
    const vmac = `vrrp.${ctx.config.lan.vrid}`
    const all = Number(read('conf/all/rp_filter') ?? 0)
    const strict = [ctx.config.lan.interface, vmac].filter((dev) => {
      const own = read(`conf/${dev}/rp_filter`)
      return Math.max(all, Number(own ?? 0)) === 1
    })
    if (strict.length > 0) return warn(`strict rp_filter (the max of all and the interface) on ${strict.join(', ')}: clients' packets arriving on ${vmac} are dropped because the route back is via ${ctx.config.lan.interface}`, 'sysctl -w net.ipv4.conf.all.rp_filter=2 (loose), and set it in /etc/sysctl.d/ha-tool.conf')
    return pass(`ip_forward = 1${ctx.config.lan.ipv6 && forward6 !== undefined ? ', IPv6 forwarding = 1' : ''}, rp_filter all = ${all}`)
  },
}
