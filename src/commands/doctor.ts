import {CHECKS} from '../app/doctor/checks.js'
import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../cli/base-command.js'
import {doctorCommand} from '../cli/commands/doctor.js'

/** oclif shim: help text here, everything else in src/cli/commands/doctor.ts. */
const shape = oclifShape(doctorCommand)

export default class Doctor extends BaseCommand {
  static summary = 'Cross-check keepalived, networkd, nftables, dnsmasq, conntrackd and the peer against what ha-tool needs.'
  static description = `Runs every check and prints one line per check: PASS, WARN, FAIL or SKIP, what was found, and for anything short of a pass the fix in one line. Exits 1 when any check fails (warnings do not).

Checks, by id (for --skip and doctor.skip; docs/status-and-doctor.md says what each looks at and why): ${CHECKS.map((c) => c.id).join(', ')}.

--root DIR reads the node's files under DIR instead of / (a copy of /etc, a crafted test tree); live state (the nft ruleset, the conntrackd socket, the transition state, the peer over ssh) is read only when the root is /. With --root and no --config, the config is DIR/etc/ha-tool/config.toml.

${EXIT_CODES_HELP}`
  static examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json', '<%= config.bin %> doctor --skip peer-ssh --skip peer-config', '<%= config.bin %> doctor --root /mnt/gw2']
  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(doctorCommand)
  }
}
