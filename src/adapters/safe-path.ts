/**
 * The PATH every child program is looked up in and inherits. keepalived and systemd hand their
 * PATH to scripts, and systemd's default puts /usr/local first, which Debian makes root:staff
 * 2775: a member of staff could plant `ip` or `nft` there and root would run it. Only the
 * distribution's own directories, whatever PATH we were started with.
 */
export const SAFE_PATH = '/usr/sbin:/usr/bin:/sbin:/bin'

/** The environment for a child: `env` (default ours) with PATH replaced by SAFE_PATH. */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {...env, PATH: SAFE_PATH}
}
