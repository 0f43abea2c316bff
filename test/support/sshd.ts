/**
 * sshd runs every session's command through the account's login shell, and bash started by sshd reads ~/.bashrc
 * even for `bash -c`. The build host's root .bashrc is not a gateway's: this one's ran `pyenv init`, whose rehash
 * lock made concurrent sessions wait for seconds, so lease pushes and failback reads over the peer port timed out
 * (docs/peer.md). A test's sshd therefore runs in a mount namespace of its own with /dev/null over /root/.bashrc,
 * as a fresh Debian root's .bashrc, which returns at once in a non-interactive shell.
 */
/** The shell line that does it, in a mount namespace of the caller's (the lab's gateways use it too). */
export const HIDE_HOST_BASHRC = 'if [ -f /root/.bashrc ]; then mount --bind /dev/null /root/.bashrc; fi'

export function sshdCommand(argv: readonly string[]): string[] {
  const script = `${HIDE_HOST_BASHRC}; exec "$@"`
  return ['unshare', '--mount', '--propagation', 'private', '/bin/sh', '-c', script, 'sshd-without-host-dotfiles', ...argv]
}
