import {type DoctorReport, runDoctor} from '../../app/doctor/run.js'
import {createDoctorDeps} from '../../wiring/doctor.js'
import {loadConfig} from '../../config/load.js'
import {ExitCode} from '../../core/exit-codes.js'
import {DEFAULT_CONFIG_PATH} from '../../core/examples/site.js'
import type {CommandSpec} from '../command.js'
import {renderDoctorReport} from '../render/doctor.js'

export const doctorCommand: CommandSpec<DoctorReport> = {
  usage: 'ha-tool doctor [--root DIR] [--skip ID ...] [--json]',
  flags: {
    root: {type: 'string', description: 'filesystem root to check', default: '/', helpValue: 'DIR'},
    skip: {type: 'string', description: 'leave out a check by id (repeatable)', multiple: true, helpValue: 'ID'},
  },
  render: renderDoctorReport,
  async run(inv) {
    const root = String(inv.flags.root).replace(/\/+$/, '') || '/'
    const rootedDefault = root !== '/' && !inv.flags.config && !process.env.HA_TOOL_CONFIG
    const {config} = rootedDefault ? loadConfig(`${root}/etc/ha-tool/config.toml`) : inv.ctx.config()
    // The path the node's own files (the dnsmasq wrapper) name: inside --root, without the root.
    const inside = (p: string) => (root !== '/' && p.startsWith(`${root}/`) ? p.slice(root.length) : p)
    const report = await runDoctor(
      createDoctorDeps(config, root, inv.ctx.logger(), rootedDefault ? DEFAULT_CONFIG_PATH : inside(inv.ctx.configPath)),
      [...config.doctor.skip, ...((inv.flags.skip as string[] | undefined) ?? [])],
    )
    return {result: report, exit: report.ok ? ExitCode.OK : ExitCode.FAILED}
  },
}
