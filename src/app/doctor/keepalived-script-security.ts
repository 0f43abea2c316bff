import {findOne} from '../../core/parse/brace-conf.js'
import {type DoctorCheck, fail, pass, skip} from './types.js'

/** enable_script_security and script_user: without them keepalived runs notify scripts as root unchecked (and -t exits non-zero). */
export const keepalivedScriptSecurity: DoctorCheck = {
  id: 'keepalived-script-security',
  title: 'keepalived has enable_script_security and script_user',
  run(ctx) {
    if (!ctx.keepalived()) return skip(`${ctx.config.keepalived.config}: not found (see keepalived-test)`)
    const defs = ctx.globalDefs()
    const missing: string[] = []
    if (!findOne(defs, 'enable_script_security')) missing.push('enable_script_security')
    const user = findOne(defs, 'script_user')
    if (!user) missing.push('script_user root')
    if (missing.length > 0) return fail(`global_defs lacks ${missing.join(' and ')}`, `add \`${missing.join('` and `')}\` to global_defs in ${ctx.config.keepalived.config}`)
    return pass(`enable_script_security, script_user ${user!.args.join(' ')}`)
  },
}
