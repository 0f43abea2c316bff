import {authorizedKeysLine} from '../peer/serve-request.js'
import {DEFAULT_CONFIG_PATH, type ExampleSite, peerHost, syncAddresses, withoutPrefix} from './site.js'

/**
 * The line for the OTHER node's /root/.ssh/authorized_keys that lets this node's root key run
 * only ha-tool's receiving side there (`ha-tool peer serve`, which allows status, config show,
 * leases receive, peer flows and reading its lease file), from this node's sync address only.
 */
export function authorizedKeysExample(site: ExampleSite): string {
  const sync = syncAddresses(site)
  const from = withoutPrefix(sync.self)
  const key = site.peer.identity ? `${site.peer.identity}.pub` : '/root/.ssh/id_ed25519.pub'
  return [
    `# /root/.ssh/authorized_keys on the other node (${peerHost(site)}), by \`ha-tool config example authorized-keys\`.`,
    `# Replace the key with the contents of ${key} on THIS node${sync.stated ? '' : `, and ${from} (PLACEHOLDER) with this node's sync address (sync.address)`}.`,
    '# restrict: no shell, pty, forwarding or agent; command=: whatever this node asks, sshd runs',
    '# `ha-tool peer serve`, which runs only the peer requests and refuses the rest (docs/peer.md).',
    '# Each node needs the other\'s line; generate it on each node.',
    authorizedKeysLine({binary: site.peer.command.join(' ') || site.binary, configPath: site.peer.config || DEFAULT_CONFIG_PATH, from}),
    '',
  ].join('\n')
}
