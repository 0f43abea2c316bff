import type {Config} from '../../config/schema.js'
import {HaError} from '../../core/errors.js'
import type {DoctorContext} from './context.js'
import {type DoctorCheck, fail, pass, skip, warn} from './types.js'

type PeerAnswer = {ok: true; config: Config; ms: number} | {ok: false; sshFailed: boolean; why: string}

/** The peer's effective config, fetched once over the peer port (BatchMode, checked host key, hard timeout). */
export function peerConfig(ctx: DoctorContext): Promise<PeerAnswer> {
  return ctx.memo('peer', async (): Promise<PeerAnswer> => {
    const peer = ctx.deps.peer
    if (!peer) return {ok: false, sshFailed: true, why: 'no peer port'}
    let r
    const t0 = Date.now()
    try {
      r = await peer.ha(['config', 'show', '--json'])
    } catch (error) {
      return {ok: false, sshFailed: true, why: error instanceof HaError ? error.message : String(error)}
    }
    const stdout = r.stdout.toString('utf8')
    const last = r.stderr.trim().split('\n').filter(Boolean).pop() ?? ''
    if (r.code !== 0) return {ok: false, sshFailed: false, why: `remote \`ha-tool config show\` exit ${r.code}: ${last || stdout.trim().split('\n').pop()}`}
    try {
      return {ok: true, config: (JSON.parse(stdout) as {config: Config}).config, ms: Date.now() - t0}
    } catch {
      return {ok: false, sshFailed: false, why: 'the peer\'s `config show --json` is not JSON'}
    }
  })
}

export const peerSsh: DoctorCheck = {
  id: 'peer-ssh',
  title: 'the peer port works: ssh without a prompt, host key checked',
  async run(ctx) {
    if (!ctx.deps.live || !ctx.deps.peer) return skip('not the live node (--root)')
    const {destination, port, known_hosts: known} = ctx.config.peer
    const how = `ssh -p ${port} ${destination} (StrictHostKeyChecking=yes, known_hosts ${known || 'ssh\'s default'})`
    const answer = await peerConfig(ctx)
    // A lease push without the daemon is one such session within dnsmasq.hook_timeout_ms: one that
    // takes half of it leaves pushes timing out under load. The usual cause is the peer's login shell:
    // sshd runs the forced command through it, and bash reads root's ~/.bashrc even then.
    const limit = Math.round(ctx.config.dnsmasq.hook_timeout_ms / 2)
    if (answer.ok && answer.ms > limit) {
      return warn(`${how}: connected, but one request took ${answer.ms} ms (more than half of dnsmasq.hook_timeout_ms = ${ctx.config.dnsmasq.hook_timeout_ms} ms)`, 'time `ssh ... true` to the peer: a slow login shell there (work in root\'s ~/.bashrc for non-interactive shells) costs every lease push and failback read (docs/peer.md)')
    }
    if (answer.ok || !answer.sshFailed) return pass(`${how}: connected${answer.ok ? ` (${answer.ms} ms)` : ''}`)
    return fail(`${how}: ${answer.why}`, `install a key and the peer's host key: see docs/peer.md (ha-tool config example authorized-keys prints the peer's authorized_keys line)`)
  },
}

/** Keys both nodes must agree on, or a failover changes what the pair does. */
const SHARED: Array<[keyof Config, string]> = [
  ['wan', 'table'], ['wan', 'rule_priority'], ['wan', 'rule_protocol'], ['wan', 'ipv6'], ['wan', 'dhcpv6'], ['wan', 'dhcpv6_iaid'], ['wan', 'link'], ['wan', 'link_via'], ['keepalived', 'instance'], ['keepalived', 'preempt'],
  ['lan', 'vip'], ['lan', 'vrid'], ['lan', 'ipv6'], ['lan', 'vip6'], ['lan', 'vip6_link_local'], ['lan', 'pd_subnet_id'], ['lan', 'fallback_table'], ['lan', 'fallback_priority'], ['conntrackd', 'enabled'],
]

export const peerAgrees: DoctorCheck = {
  id: 'peer-config',
  title: 'both nodes\' ha-tool configs agree on table, priority and instance',
  async run(ctx) {
    if (!ctx.deps.live) return skip('not the live node (--root)')
    const answer = await peerConfig(ctx)
    if (!answer.ok) return answer.sshFailed ? skip('cannot reach the peer (see peer-ssh)') : warn(`cannot read the peer's config: ${answer.why}`, `install ha-tool on the peer at ${ctx.config.peer.command.join(' ')} (peer.command)`)
    const mine = ctx.config as unknown as Record<string, Record<string, unknown>>
    const theirs = answer.config as unknown as Record<string, Record<string, unknown> | undefined>
    const diffs = SHARED.filter(([s, k]) => theirs[s]?.[k] !== undefined && JSON.stringify(theirs[s]?.[k]) !== JSON.stringify(mine[s][k]))
      .map(([s, k]) => `${s}.${k}: here ${JSON.stringify(mine[s][k])}, peer ${JSON.stringify(theirs[s]?.[k])}`)
    if (diffs.length === 0) return pass(`agree on ${SHARED.map(([s, k]) => `${s}.${k}`).join(', ')}`)
    return fail(diffs.join('; '), 'make both configs say the same (`ha-tool config show` on each node)')
  },
}
