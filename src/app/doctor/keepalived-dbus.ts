import {findOne} from '../../core/parse/brace-conf.js'
import {type DoctorCheck, pass, skip, warn} from './types.js'

/** Without enable_dbus the daemon cannot converge to keepalived's role at start-up, and status falls back to the state file. */
export const keepalivedDbus: DoctorCheck = {
  id: 'keepalived-dbus',
  title: 'keepalived exports its state on D-Bus',
  run(ctx) {
    if (!ctx.keepalived()) return skip(`${ctx.config.keepalived.config}: not found (see keepalived-test)`)
    if (findOne(ctx.globalDefs(), 'enable_dbus')) return pass('enable_dbus is set')
    return warn('enable_dbus is not set: the daemon cannot ask keepalived for the role at start-up, and status shows the last transition instead', 'add `enable_dbus` to global_defs')
  },
}
