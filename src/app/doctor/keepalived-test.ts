import {HaError} from '../../core/errors.js'
import {judgeConfigTest, parseKeepalivedVersion} from '../../core/keepalived/config-test.js'
import {type DoctorCheck, fail, pass, skip, warn} from './types.js'

/**
 * `keepalived -t` (config test), judged on its exit status and its parsed output together
 * (core/keepalived/config-test.ts names the keepalived versions the judgement was tested with).
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
    let version: string | undefined
    try { version = parseKeepalivedVersion(await ctx.deps.probes.keepalivedVersion()) } catch { /* unknown */ }
    const v = judgeConfigTest({code: r.code, output: `${r.stdout}\n${r.stderr}`, version, live: ctx.deps.live})
    const detail = v.detail.replaceAll(file, conf)
    if (v.status === 'pass') return pass(detail)
    const fix = v.kind === 'security' ? 'add `enable_script_security` and `script_user root` to global_defs'
      : v.kind === 'missing-script' ? 'install ha-tool with scripts/install, and call it by the installed path (doctor.binary)'
        : v.kind === 'interface' && !ctx.deps.live ? 'run `ha-tool doctor` on the node itself'
          : `run \`keepalived -t -l -f ${conf}\` and fix the lines it names`
    return v.status === 'warn' ? warn(detail, fix) : fail(detail, fix)
  },
}
