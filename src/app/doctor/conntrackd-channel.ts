import {compareSyncChannels} from '../../core/conntrack/channel-match.js'
import {parseConntrackdConf} from '../../core/conntrack/config.js'
import {errorLine} from '../../core/errors.js'
import {peerConfig} from './peer.js'
import {type DoctorCheck, fail, pass, skip, warn} from './types.js'

/**
 * The two conntrackd.conf files must describe one sync channel between the nodes: read the peer's
 * over the peer port (its ha-tool config says where the file is; `peer serve` hands out only that
 * file and the lease file) and compare transport, addresses and mode with this node's.
 */
export const conntrackdPeerChannel: DoctorCheck = {
  id: 'conntrackd-peer-channel',
  title: 'both nodes\' conntrackd sync channels point at each other',
  async run(ctx) {
    const {enabled, config} = ctx.config.conntrackd
    if (!enabled) return pass('conntrackd.enabled = false: ha-tool does not drive conntrackd')
    const text = ctx.fs.read(config)
    if (text === undefined) return skip(`${config}: not found (see the conntrackd check)`)
    let mine
    try { mine = parseConntrackdConf(text).conf } catch { return skip(`${config}: does not parse (see the conntrackd check)`) }
    if (mine.kind !== 'sync' || mine.channels.length === 0) return fail(`${config}: no sync channel (no Sync section with a UDP, TCP or Multicast block): conntrackd replicates nothing to the peer`, 'add the Sync block of `ha-tool config example conntrackd`')
    if (!ctx.deps.live || !ctx.deps.peer) return skip('not the live node (--root): the peer\'s conntrackd.conf is not read')
    const answer = await peerConfig(ctx)
    if (!answer.ok) return skip(answer.sshFailed ? 'cannot reach the peer (see peer-ssh)' : `cannot read the peer's config: ${answer.why}`)
    const path = answer.config.conntrackd?.config
    if (!answer.config.conntrackd?.enabled) return warn('the peer has conntrackd.enabled = false: nothing replicates flows to this node', 'set conntrackd.enabled = true on both nodes')
    let theirs
    try {
      theirs = parseConntrackdConf((await ctx.deps.peer.fetch(path)).toString('utf8')).conf
    } catch (error) {
      return warn(`cannot read the peer's ${path}: ${errorLine(error)}`, 'install the forced-command line of `ha-tool config example authorized-keys` on the peer (it serves this file)')
    }
    const problems = compareSyncChannels(mine, theirs)
    if (problems.length > 0) return fail(`${config} and the peer's ${path}: ${problems.join('; ')}`, 'make each node\'s destination the other\'s address on the sync link (`ha-tool config example conntrackd` on each node)')
    const c = mine.channels[0]
    return pass(`${c.transport}${c.address ? ` ${c.address}` : ''}${c.peer ? ` <-> ${c.peer}` : ''}, Mode ${mine.mode ?? 'FTFW'} on both nodes`)
  },
}
