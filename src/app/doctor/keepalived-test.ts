import {HaError} from '../../core/errors.js'
import {type DoctorCheck, fail, pass, skip, warn} from './types.js'

/**
 * `keepalived -t` (config test). Its exit status for "scripts configured but script security
 * off" is 5 in the man page and in newer sources, 6 in 2.2.7 (an extra PROGRAM_ERROR code shifted
 * the enum), so the verdict comes from its SECURITY VIOLATION message, not the number.
 */
export const keepalivedTest: DoctorCheck = {
  id: 'keepalived-test',
  title: 'keepalived -t accepts keepalived.conf',
  async run(ctx) {
    const conf = ctx.config.keepalived.config
    if (ctx.fs.read(conf) === undefined) return fail(`${conf}: not found`, 'write one with `ha-tool config example keepalived`')
    const file = ctx.fs.root === '/' ? conf : `${ctx.fs.root}${conf}`
    let r
    try {
      r = await ctx.deps.probes.keepalivedTest(file)
    } catch (error) {
      if (error instanceof HaError) return skip(`keepalived is not installed here: ${error.message}`)
      throw error
    }
    const messages = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean)
    if (r.code === 0) return pass(`keepalived -t -f ${conf}: exit 0`)
    if (messages.some((m) => /SECURITY VIOLATION/.test(m))) {
      return fail(`keepalived -t exit ${r.code}: scripts are configured but script security is off (keepalived runs them as root unchecked, or refuses them)`, 'add `enable_script_security` and `script_user root` to global_defs')
    }
    const missing = messages.find((m) => /not found\/accessible|Disabling .* since not found/i.test(m))
    if (missing) return fail(`keepalived -t exit ${r.code}: ${missing}`, 'install ha-tool with scripts/install, and call it by the installed path (doctor.binary)')
    const iface = messages.find((m) => /doesn't exist|Non-existent interface|Unknown interface/i.test(m))
    if (iface && !ctx.deps.live) return warn(`keepalived -t exit ${r.code}: ${iface} (expected when checking a copy under --root)`, 'run `ha-tool doctor` on the node itself')
    const first = messages.find((m) => !/^\s*$/.test(m)) ?? `exit ${r.code}`
    return fail(`keepalived -t exit ${r.code}: ${first}`, `run \`keepalived -t -l -f ${conf}\` and fix the lines it names`)
  },
}
