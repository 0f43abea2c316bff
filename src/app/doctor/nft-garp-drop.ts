import {findAll, walkConf} from '../../core/parse/brace-conf.js'
import {type DoctorCheck, pass, skip, warn} from './types.js'

/**
 * A node whose keepalived was killed keeps the VIP on its VMAC until the guard or the watchdog
 * releases it, and keepalived sets accept_local there: it answers every gratuitous ARP of the new
 * MASTER from the shared virtual MAC, which teaches the LAN switch its port again (the lab: the LAN
 * lost the VIP until the next gratuitous ARP, ~1 s). An arp-family input rule dropping requests whose
 * sender and target are the VIP stops it; nothing else sends such a request.
 */
export const nftGarpDrop: DoctorCheck = {
  id: 'nft-garp-drop',
  title: 'gratuitous ARP for the VIP is dropped on input (a dead node cannot pull the VMAC back)',
  async run(ctx) {
    const tree = ctx.keepalived()
    const vmac = tree ? walkConf(tree).filter((n) => n.key === 'vrrp_instance').some((i) => findAll(i.children, 'use_vmac').length > 0) : true
    if (!vmac) return skip('keepalived uses no VMAC: a node holding the VIP answers from its own MAC, which does not move the VIP')
    const vip = ctx.config.lan.vip
    const ruleset = await ctx.nftables()
    const fix = `load \`table arp ha_tool_arp\` from \`ha-tool config example nftables\` (input: arp operation request arp saddr ip ${vip} arp daddr ip ${vip} drop)`
    if (!ruleset) return warn(`no nftables ruleset: neither a live one nor ${ctx.config.doctor.nftables_conf}`, fix)
    const has = (field: string) => new RegExp(`(^|\\s)arp ${field} ip ${vip.replace(/\./g, '\\.')}(\\s|$)`)
    const wanted = (rule: string) => has('saddr').test(rule) && has('daddr').test(rule) && /\sdrop$/.test(rule) && !/arp operation reply/.test(rule)
    for (const table of ruleset.tables) {
      if (table.family !== 'arp') continue
      for (const chain of table.chains) {
        if (chain.hook !== 'input') continue
        const rule = chain.rules.find(wanted)
        if (rule) return pass(`${ruleset.source}: arp ${table.name} chain ${chain.name}: ${rule}`)
      }
    }
    return warn(`${ruleset.source}: no arp input rule drops gratuitous ARP for ${vip}: a node whose keepalived was killed answers the new MASTER's from the virtual MAC and pulls the LAN's traffic back to itself until the next one (~1 s)`, fix)
  },
}
