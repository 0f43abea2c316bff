import {walkConf} from '../../core/parse/brace-conf.js'
import {type DoctorCheck, fail, pass, skip} from './types.js'

/** In down-on-backup mode the BACKUP's WAN is down: tracking it pins the BACKUP in FAULT, so it can never take over. */
export const keepalivedTrackInterface: DoctorCheck = {
  id: 'keepalived-track-interface',
  title: 'the WAN is not in track_interface when it goes down on BACKUP',
  run(ctx) {
    const tree = ctx.keepalived()
    if (!tree) return skip(`${ctx.config.keepalived.config}: not found (see keepalived-test)`)
    const wan = ctx.config.wan.interface
    const hits = walkConf(tree).filter((n) => n.key === 'track_interface').flatMap((n) => n.children.filter((c) => c.key === wan))
    if (ctx.config.wan.link !== 'down-on-backup') return pass(`wan.link = "${ctx.config.wan.link}": the WAN stays up on BACKUP${hits.length > 0 ? `, tracking it is fine` : ''}`)
    if (hits.length === 0) return pass(`${wan} is not tracked`)
    return fail(`${wan} is in track_interface (line ${hits.map((h) => h.line).join(', ')}) but goes down on BACKUP: the BACKUP would sit in FAULT and never take over`, `remove ${wan} from track_interface in ${ctx.config.keepalived.config}`)
  },
}
