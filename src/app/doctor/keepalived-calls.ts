import {findAll, findOne, walkConf} from '../../core/parse/brace-conf.js'
import {trackFileOf} from '../config-example.js'
import {notifyFifoOf} from '../notify-fifo.js'
import {type DoctorCheck, fail, pass, skip, warn} from './types.js'

/**
 * keepalived must actually tell ha-tool about role changes (a `notify` calling `ha-tool notify`,
 * or a notify FIFO the daemon reads) and take ha-tool's health into account (a track_file the
 * daemon writes, or a vrrp_script running `ha-tool check`).
 */
export const keepalivedCalls: DoctorCheck = {
  id: 'keepalived-calls-ha-tool',
  title: 'keepalived.conf calls ha-tool for transitions and health',
  run(ctx) {
    const tree = ctx.keepalived()
    if (!tree) return skip(`${ctx.config.keepalived.config}: not found (see keepalived-test)`)
    const scripts = ctx.keepalivedScripts()
    const isHaTool = (cmd: string) => /(^|\/)ha-tool(\s|$)/.test(cmd)
    const notify = scripts.find((s) => /^notify/.test(s.key) && isHaTool(s.command) && /\snotify(\s|$)/.test(s.command))
    const fifoScript = scripts.find((s) => /fifo_script$/.test(s.key) && isHaTool(s.command) && /\sdaemon(\s|$)/.test(s.command))
    const fifo = ['vrrp_notify_fifo', 'notify_fifo'].map((k) => findOne(ctx.globalDefs(), k)?.args[0]).find(Boolean)
    const daemonFifo = notifyFifoOf(ctx.config)
    const how: string[] = []
    if (notify) how.push(`notify (line ${notify.line})`)
    if (fifoScript) how.push(`notify FIFO script (line ${fifoScript.line})`)
    if (fifo && daemonFifo && fifo === daemonFifo) how.push(`notify FIFO ${fifo}, read by the ha-tool daemon (keepalived.fifo)`)
    if (how.length === 0) {
      const why = fifo && !fifoScript ? `keepalived writes ${fifo} but keepalived.fifo in the ha-tool config is ${JSON.stringify(ctx.config.keepalived.fifo)} (the daemon reads ${daemonFifo})` : 'no notify or notify FIFO calls ha-tool'
      return fail(why, fifo ? `set keepalived.fifo = "${fifo}" in the ha-tool config and run ha-tool-daemon.service` : 'see `ha-tool config example keepalived` (vrrp_notify_fifo + ha-tool-daemon.service, or notify "/usr/sbin/ha-tool notify")')
    }
    const trackFile = trackFileOf(ctx.config)
    // track_file is keepalived 2.2.7's name, vrrp_track_file the deprecated one: both count.
    const tracked = walkConf(tree).filter((n) => n.key === 'track_file' || n.key === 'vrrp_track_file').some((n) => findAll(n.children, 'file').some((f) => f.args[0] === trackFile))
    const checkScript = scripts.find((s) => s.key === 'script' && isHaTool(s.command) && /\scheck(\s|$)/.test(s.command))
    if (!tracked && !checkScript) {
      return warn(`transitions: ${how.join(', ')}; but no track_file on ${trackFile} and no vrrp_script running \`ha-tool check\`: health and maintenance mode cannot demote this node`, `add a track_file for ${trackFile} (see \`ha-tool config example keepalived\`)`)
    }
    return pass(`transitions: ${how.join(', ')}; health: ${[tracked ? `track_file ${trackFile}` : '', checkScript ? `track_script (line ${checkScript.line})` : ''].filter(Boolean).join(', ')}`)
  },
}
