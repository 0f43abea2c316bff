import {findAll, walkConf} from '../../core/parse/brace-conf.js'
import {ifaceCovers, ruleInterfaces} from '../../core/parse/nft-ruleset.js'
import type {DoctorContext} from './context.js'
import {type DoctorCheck, fail, pass} from './types.js'

/**
 * LAN->LAN forwarding dropped in the forward hook (DESIGN.md section 4: with it every lab
 * failover was clean, without it most flows died). With use_vmac, clients' frames arrive on the
 * VMAC interface (vrrp.<vrid>), so the rule must cover it as well as the LAN.
 */
export const nftForwardDrop: DoctorCheck = {
  id: 'nft-lan-forward-drop',
  title: 'LAN->LAN forwarding is dropped in the forward hook',
  async run(ctx) {
    const ruleset = await ctx.nftables()
    if (!ruleset) return fail(`no nftables ruleset: neither a live one nor ${ctx.config.doctor.nftables_conf}`, 'load the ruleset of `ha-tool config example nftables`')
    const names = lanNames(ctx)
    const fix = `add \`iifname { ${names.map((n) => JSON.stringify(n)).join(', ')} } oifname { ${names.map((n) => JSON.stringify(n)).join(', ')} } drop\` to a chain with hook forward (see \`ha-tool config example nftables\`)`
    for (const table of ruleset.tables) {
      for (const chain of table.chains) {
        if (chain.hook !== 'forward') continue
        for (const rule of chain.rules) {
          if (!/(^|\s)drop(\s|$)/.test(rule)) continue
          const ins = ruleInterfaces(rule, 'in')
          const outs = ruleInterfaces(rule, 'out')
          if (ins && outs && names.every((n) => ifaceCovers(ins, n) && ifaceCovers(outs, n))) {
            return pass(`${ruleset.source}: ${table.family} ${table.name} chain ${chain.name}: ${rule}`)
          }
        }
      }
    }
    return fail(`${ruleset.source}: no forward-hook rule drops traffic between ${names.join(' and ')}: after a failover a node routes clients' packets back to the VIP and their NAT state is lost`, fix)
  },
}

/** The LAN interface, and the VMAC one when keepalived uses use_vmac. */
function lanNames(ctx: DoctorContext): string[] {
  const names = [ctx.config.lan.interface]
  const tree = ctx.keepalived()
  if (!tree) return [...names, `vrrp.${ctx.config.lan.vrid}`]
  for (const inst of walkConf(tree).filter((n) => n.key === 'vrrp_instance')) {
    const vmac = findAll(inst.children, 'use_vmac')[0]
    // keepalived names an IPv6 instance's VMAC vrrp6.<vrid> (its first VIP is IPv6).
    const six = findAll(inst.children, 'virtual_ipaddress')[0]?.children[0]?.key.includes(':') ?? false
    if (vmac) names.push(vmac.args[0] ?? `vrrp${six ? '6' : ''}.${findAll(inst.children, 'virtual_router_id')[0]?.args[0] ?? ctx.config.lan.vrid}`)
  }
  return [...new Set(names)]
}

