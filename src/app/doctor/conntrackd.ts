import {COMMIT_STEPS, flushBlockedAfterCommit, parseConntrackdConf} from '../../core/conntrack/config.js'
import {type DoctorCheck, fail, pass, warn} from './types.js'

/**
 * conntrackd as ha-tool drives it (primary-backup sequence): the config must parse, use a mode
 * where -n/-B do something (not ALARM), keep the external cache (else -c commits nothing and
 * the commit cannot gate the WAN), and on a live node its control socket must be there.
 */
export const conntrackd: DoctorCheck = {
  id: 'conntrackd',
  title: 'conntrackd\'s mode and socket fit the transition plan',
  run(ctx) {
    const {enabled, config} = ctx.config.conntrackd
    if (!enabled) return pass('conntrackd.enabled = false: ha-tool does not drive conntrackd')
    const text = ctx.fs.read(config)
    if (text === undefined) return fail(`${config}: not found`, 'write one with `ha-tool config example conntrackd`, or set conntrackd.config')
    let conf
    try {
      conf = parseConntrackdConf(text).conf
    } catch (error) {
      return fail(`${config}: ${(error as Error).message}`, 'fix the line named (compare with `ha-tool config example conntrackd`)')
    }
    if (conf.kind !== 'sync') return fail(`${config}: no Sync section: conntrackd only counts, it replicates nothing`, 'add a Sync { Mode FTFW { } ... } block (see `ha-tool config example conntrackd`)')
    if (!conf.socketPath) return fail(`${config}: no General { UNIX { Path ... } }: ha-tool cannot talk to the daemon`, 'add UNIX { Path /var/run/conntrackd.ctl } to General')
    if (ctx.deps.live && !ctx.fs.stat(conf.socketPath)) return fail(`${config}: control socket ${conf.socketPath} is missing: conntrackd is not running`, `start conntrackd (conntrackd -d -C ${config}, or its service)`)
    if (flushBlockedAfterCommit(conf)) return fail(`${config}: HashSize ${conf.hashSize} <= ${COMMIT_STEPS}: conntrackd 1.4.7 finishes the promotion's commit in one pass and never clears its "in progress" marker, so it ignores every later -f (flush) while still exiting 0`, 'set HashSize 16384 (or more) in General and restart conntrackd')
    if (conf.mode === 'ALARM') return warn(`${config}: Mode ALARM: -n and -B are no-ops, a node coming back is not resynced`, 'use Mode FTFW')
    if (!conf.externalCache) return warn(`${config}: Mode ${conf.mode}, DisableExternalCache on: peer flows go straight into the kernel and -c commits nothing, so no commit gates the WAN`, 'set DisableExternalCache Off')
    return pass(`${config}: Mode ${conf.mode}, external cache kept, socket ${conf.socketPath}${ctx.deps.live ? ' present' : ''}`)
  },
}
