import {Flags} from '@oclif/core'
import {CHECKS} from '../app/doctor/checks.js'
import {type DoctorReport, renderDoctor, runDoctor} from '../app/doctor/run.js'
import {createDoctorDeps} from '../wiring/doctor.js'
import {BaseCommand, EXIT_CODES_HELP} from '../cli/base-command.js'
import {loadConfig} from '../config/load.js'
import {ExitCode} from '../core/exit-codes.js'

export default class Doctor extends BaseCommand<typeof Doctor> {
  static summary = 'Cross-check keepalived, networkd, nftables, dnsmasq, conntrackd and the peer against what ha-tool needs.'
  static description = `Runs every check and prints one line per check: PASS, WARN, FAIL or SKIP, what was found, and for anything short of a pass the fix in one line. Exits 1 when any check fails (warnings do not).

Checks, by id (for --skip and doctor.skip; the README's "status and doctor" says what each looks at and why): ${CHECKS.map((c) => c.id).join(', ')}.

--root DIR reads the node's files under DIR instead of / (a copy of /etc, a crafted test tree); live state (the nft ruleset, the conntrackd socket, the transition state, the peer over ssh) is read only when the root is /. With --root and no --config, the config is DIR/etc/ha-tool/config.toml.

${EXIT_CODES_HELP}`
  static flags = {
    root: Flags.string({description: 'filesystem root to check', default: '/', helpValue: 'DIR'}),
    skip: Flags.string({description: 'leave out a check by id (repeatable)', multiple: true, helpValue: 'ID'}),
  }
  static examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json', '<%= config.bin %> doctor --skip peer-ssh --skip peer-config', '<%= config.bin %> doctor --root /mnt/gw2']

  async run(): Promise<DoctorReport> {
    const root = this.flags.root.replace(/\/+$/, '') || '/'
    const rootedDefault = root !== '/' && !this.flags.config && !process.env.HA_TOOL_CONFIG
    const {config} = rootedDefault ? loadConfig(`${root}/etc/ha-tool/config.toml`) : this.ctx.config()
    const report = await runDoctor(
      createDoctorDeps(config, root, this.ctx.logger()),
      [...config.doctor.skip, ...(this.flags.skip ?? [])],
    )
    return this.finish({result: report, exit: report.ok ? ExitCode.OK : ExitCode.FAILED, text: renderDoctor(report)})
  }
}
