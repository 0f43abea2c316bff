import {iniValue} from '../../core/parse/ini.js'
import {type DoctorCheck, fail, pass, skip} from './types.js'

/** networkd's default ManageForeignRoutingPolicyRules=yes deletes ha-tool's WAN rule on every networkd restart. */
export const networkdForeignRules: DoctorCheck = {
  id: 'networkd-foreign-rules',
  title: 'networkd leaves ha-tool\'s routing rule alone',
  run(ctx) {
    if (ctx.networkFiles().length === 0) return skip(`no .network files in ${ctx.config.doctor.networkd_dir}: networkd does not manage this node`)
    const value = iniValue(ctx.networkdConf(), 'Network', 'ManageForeignRoutingPolicyRules')
    if (value !== undefined && /^(no|false|0|off)$/i.test(value)) return pass('ManageForeignRoutingPolicyRules=no')
    return fail(`ManageForeignRoutingPolicyRules=${value ?? 'yes (default)'}: networkd deletes the rule "to all lookup ${ctx.config.wan.table} priority ${ctx.config.wan.rule_priority}" whenever it restarts`,
      `put "[Network]\\nManageForeignRoutingPolicyRules=no" in ${ctx.config.doctor.networkd_conf}.d/ha-tool.conf and restart systemd-networkd`)
  },
}
