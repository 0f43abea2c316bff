import {BaseCommand, EXIT_CODES_HELP, oclifShape} from '../../cli/base-command.js'
import {peerServeCommand} from '../../cli/commands/peer-serve.js'

/** oclif shim: help text here, everything else in src/cli/commands/peer-serve.ts. */
const shape = oclifShape(peerServeCommand)

export default class PeerServe extends BaseCommand {
  static summary = 'The receiving side of the peer port: the forced command of the other node\'s ssh key (not run by hand).'
  static hidden = true
  static description = `sshd runs it for the other node's root key when authorized_keys says so (\`ha-tool config example authorized-keys\` prints the line). It reads the requested command from SSH_ORIGINAL_COMMAND and runs it only when it is one of: status --json, config show --json, leases receive, leases sync (after a replication queue overflow), peer flows, or cat -- <this node's dnsmasq.leases or conntrackd.config>; always with this node's own config (the caller's --config is ignored). Anything else is refused (exit 2) and logged. See docs/peer.md.

${EXIT_CODES_HELP}`
  static examples = ['command="/usr/sbin/ha-tool peer serve --config /etc/ha-tool/config.toml",restrict ssh-ed25519 AAAA... (in /root/.ssh/authorized_keys)']

  static flags = shape.flags
  static args = shape.args
  static strict = shape.strict

  async run(): Promise<unknown> {
    return this.execute(peerServeCommand)
  }
}
