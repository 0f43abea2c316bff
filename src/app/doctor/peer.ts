import type {Config} from '../../config/schema.js'
import {HaError} from '../../core/errors.js'
import type {DoctorContext} from './context.js'
import {type DoctorCheck, fail, pass, skip, warn} from './types.js'

type PeerAnswer = {ok: true; config: Config} | {ok: false; sshFailed: boolean; why: string}

/** The peer's effective config, fetched once over ssh (BatchMode: a password prompt would hang cron and the daemon). */
export function peerConfig(ctx: DoctorContext): Promise<PeerAnswer> {
  return ctx.memo('peer', async (): Promise<PeerAnswer> => {
    const {peer, ssh_key: key, ssh_timeout_ms: timeout} = ctx.config.dnsmasq
    const argv = ['ssh', '-o', 'BatchMode=yes', '-o', `ConnectTimeout=${Math.max(1, Math.ceil(timeout / 1000))}`, ...(key ? ['-i', key] : []), peer, ctx.config.doctor.binary, 'config', 'show', '--json']
    let r
    try {
      r = await ctx.deps.exec(argv, {timeoutMs: timeout + 5000})
    } catch (error) {
      return {ok: false, sshFailed: true, why: error instanceof HaError ? error.message : String(error)}
    }
    const last = r.stderr.trim().split('\n').filter(Boolean).pop() ?? ''
    if (r.code === 255 || r.timedOut) return {ok: false, sshFailed: true, why: r.timedOut ? 'timed out' : last || 'ssh exit 255'}
    if (r.code !== 0) return {ok: false, sshFailed: false, why: `remote \`${ctx.config.doctor.binary} config show\` exit ${r.code}: ${last || r.stdout.trim().split('\n').pop()}`}
    try {
      return {ok: true, config: (JSON.parse(r.stdout) as {config: Config}).config}
    } catch {
      return {ok: false, sshFailed: false, why: 'the peer\'s `config show --json` is not JSON'}
    }
  })
}

export const peerSsh: DoctorCheck = {
  id: 'peer-ssh',
  title: 'ssh to the peer works without a prompt',
  async run(ctx) {
    if (!ctx.deps.live) return skip('not the live node (--root)')
    const peer = ctx.config.dnsmasq.peer
    const answer = await peerConfig(ctx)
    if (answer.ok || !answer.sshFailed) return pass(`ssh -o BatchMode=yes ${peer}: connected`)
    return fail(`ssh -o BatchMode=yes ${peer}: ${answer.why}`, `install a key: ssh-keygen -t ed25519 && ssh-copy-id ${peer} (and set dnsmasq.ssh_key if it is not the default)`)
  },
}

/** Keys both nodes must agree on, or a failover changes what the pair does. */
const SHARED: Array<[keyof Config, string]> = [
  ['wan', 'table'], ['wan', 'rule_priority'], ['wan', 'ipv6'], ['wan', 'dhcpv6_iaid'], ['wan', 'link'], ['wan', 'link_via'], ['keepalived', 'instance'],
  ['lan', 'vip'], ['lan', 'vrid'], ['lan', 'fallback_table'], ['lan', 'fallback_priority'], ['conntrackd', 'enabled'],
]

export const peerAgrees: DoctorCheck = {
  id: 'peer-config',
  title: 'both nodes\' ha-tool configs agree on table, priority and instance',
  async run(ctx) {
    if (!ctx.deps.live) return skip('not the live node (--root)')
    const answer = await peerConfig(ctx)
    if (!answer.ok) return answer.sshFailed ? skip('cannot reach the peer (see peer-ssh)') : warn(`cannot read the peer's config: ${answer.why}`, `install ha-tool on the peer at ${ctx.config.doctor.binary}`)
    const mine = ctx.config as unknown as Record<string, Record<string, unknown>>
    const theirs = answer.config as unknown as Record<string, Record<string, unknown> | undefined>
    const diffs = SHARED.filter(([s, k]) => theirs[s]?.[k] !== undefined && JSON.stringify(theirs[s]?.[k]) !== JSON.stringify(mine[s][k]))
      .map(([s, k]) => `${s}.${k}: here ${JSON.stringify(mine[s][k])}, peer ${JSON.stringify(theirs[s]?.[k])}`)
    if (diffs.length === 0) return pass(`agree on ${SHARED.map(([s, k]) => `${s}.${k}`).join(', ')}`)
    return fail(diffs.join('; '), 'make both configs say the same (`ha-tool config show` on each node)')
  },
}
