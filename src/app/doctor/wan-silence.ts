import {SILENCE_TABLE} from '../../core/nft/silence.js'
import {silenceState} from '../../core/nft/silence.js'
import {type DoctorCheck, fail, pass, skip, warn} from './types.js'

/**
 * keep-up mode: both nodes hold the WAN address and the shared MAC, so a BACKUP must be
 * silent on the WAN (ha-tool's netdev table), and a MASTER must not be.
 */
export const wanSilence: DoctorCheck = {
  id: 'wan-silence',
  title: 'a BACKUP is silent on the WAN (keep-up mode)',
  async run(ctx) {
    const {link, silence, interface: wan} = ctx.config.wan
    if (link !== 'keep-up') return pass(`wan.link = "${link}": the BACKUP's WAN is down`)
    if (silence === 'none') return warn('wan.silence = "none": a BACKUP keeps talking on the WAN with the shared MAC (ARP replies, DHCP renewals), which draws the MASTER\'s traffic to it', 'set wan.silence = "nftables"')
    if (!ctx.deps.live) return skip('not the live node (--root): the silence table is loaded at run time')
    const role = ctx.deps.state?.role
    if (!role) return skip('no transition recorded yet (no state file): role unknown')
    const ruleset = await ctx.nftables()
    if (!ruleset) return skip('cannot read the live nftables ruleset')
    const state = silenceState(ruleset.tables, SILENCE_TABLE)
    const silenced = state.present && state.silenced && state.device === wan
    if (role === 'MASTER') {
      return silenced ? fail(`MASTER but ${wan} is silenced (table netdev ${SILENCE_TABLE}, its gate chain is empty)`, `run \`ha-tool notify master\` to converge, or \`nft add rule netdev ${SILENCE_TABLE} gate accept\``) : pass(`MASTER, ${wan} not silenced`)
    }
    return silenced ? pass(`${role}, ${wan} silenced by table netdev ${SILENCE_TABLE}`) : fail(`${role} but ${wan} is not silenced: this node answers on the WAN with the shared MAC`, `run \`ha-tool notify ${role.toLowerCase()}\` to converge`)
  },
}
