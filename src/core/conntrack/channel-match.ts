import type {ConntrackdConf, SyncChannel} from './config.js'

const show = (c: SyncChannel) => `${c.transport}${c.interface ? ` on ${c.interface}` : ''}${c.address ? ` from ${c.address}` : ''}${c.peer ? ` to ${c.peer}` : ''}`

/**
 * Whether two nodes' conntrackd.conf can talk to each other: both replicate (a Sync section with a
 * channel), over the same transport, and (UDP, TCP) each one's destination is the other's own
 * address; Multicast: the same group. Returns what is wrong, empty when they match. Pure.
 */
export function compareSyncChannels(mine: ConntrackdConf, theirs: ConntrackdConf): string[] {
  const a = mine.channels[0]
  const b = theirs.channels[0]
  if (mine.kind !== 'sync' || !a) return ['this node\'s conntrackd.conf has no sync channel (no Sync section, or no UDP/TCP/Multicast block): it replicates nothing']
  if (theirs.kind !== 'sync' || !b) return ['the peer\'s conntrackd.conf has no sync channel: it replicates nothing']
  if (a.transport !== b.transport) return [`transports differ: here ${show(a)}, peer ${show(b)}`]
  const out: string[] = []
  if (mine.mode && theirs.mode && mine.mode !== theirs.mode) out.push(`modes differ: here ${mine.mode}, peer ${theirs.mode}`)
  if (a.transport === 'Multicast') {
    if (a.address && b.address && a.address !== b.address) out.push(`multicast groups differ: here ${a.address}, peer ${b.address}`)
    return out
  }
  if (a.peer && b.address && a.peer !== b.address) out.push(`here the destination is ${a.peer}, but the peer's own address is ${b.address}`)
  if (b.peer && a.address && b.peer !== a.address) out.push(`the peer sends to ${b.peer}, but this node's address is ${a.address}`)
  return out
}
