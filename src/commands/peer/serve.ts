import {servePeerRequest} from '../../app/peer-serve.js'
import {BaseCommand, EXIT_CODES_HELP} from '../../cli/base-command.js'
import {peerServeDeps} from '../../wiring/peer.js'

export default class PeerServe extends BaseCommand<typeof PeerServe> {
  static summary = 'The receiving side of the peer port: the forced command of the other node\'s ssh key (not run by hand).'
  static hidden = true
  static description = `sshd runs it for the other node's root key when authorized_keys says so (\`ha-tool config example authorized-keys\` prints the line). It reads the requested command from SSH_ORIGINAL_COMMAND and runs it only when it is one of: status --json, config show --json, leases receive, peer flows, or cat -- <this node's dnsmasq.leases or conntrackd.config>; always with this node's own config (the caller's --config is ignored). Anything else is refused (exit 2) and logged. See docs/peer.md.

${EXIT_CODES_HELP}`
  static examples = ['command="/usr/sbin/ha-tool peer serve --config /etc/ha-tool/config.toml",restrict ssh-ed25519 AAAA... (in /root/.ssh/authorized_keys)']

  async run(): Promise<void> {
    const {config, path} = this.ctx.config()
    process.exitCode = await servePeerRequest(peerServeDeps(config, path, this.ctx.logger()), process.env.SSH_ORIGINAL_COMMAND)
  }
}
