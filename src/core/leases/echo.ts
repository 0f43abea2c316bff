/**
 * Echo suppression for lease replication. A lease the peer pushed reaches the running dnsmasq over
 * D-Bus (AddDhcpLease / DeleteDhcpLease), and dnsmasq then runs its dhcp-script for it like for any
 * change, so without this every replicated change came straight back to the node that sent it:
 * twice the ssh pushes and, worse, twice the serial hook runs on both nodes during a burst.
 * `leases receive` records what it applied; the hook drops an event whose queue line is a line
 * received moments ago (the peer holds that lease, so there is nothing to tell it).
 *
 * "Is" allows the expiry to differ by up to ECHO_EXPIRY_SLACK_S: AddDhcpLease takes a duration, and
 * dnsmasq adds it to its own clock (src/dbus.c: lease_set_expires(lease, expires, now)), so a call
 * that crosses a second boundary stores the expiry one second later than the peer's. Without the
 * slack that second went back as news, the peer took it as a renewal (later expiry wins), and the
 * two nodes bounced the lease back and forth, a second later each time a call crossed a boundary.
 */

/** How long a received line counts as the peer's own: long enough for dnsmasq's serial script queue. */
export const ECHO_WINDOW_MS = 120_000

/** How far a lease's expiry may be from the received one's and still be that lease. */
export const ECHO_EXPIRY_SLACK_S = 5

/** What was received, by address: the queue line (`add LEASE` / `del LEASE`) and when. */
export type ReceivedLines = Map<string, {line: string; at: number}>

const ipOf = (line: string): string => line.split(' ')[3] ?? ''

/** Parses the record (`<epoch ms> <queue line>` per line); anything malformed is skipped, not fatal. */
export function parseReceived(text: string): ReceivedLines {
  const out: ReceivedLines = new Map()
  for (const raw of text.split('\n')) {
    const sp = raw.indexOf(' ')
    const at = Number(raw.slice(0, sp))
    const line = raw.slice(sp + 1)
    if (sp > 0 && Number.isFinite(at) && (line.startsWith('add ') || line.startsWith('del '))) out.set(ipOf(line), {line, at})
  }
  return out
}

/** The record after a push was applied: its lines added (the last per address wins), old ones dropped. */
export function recordReceived(prev: ReceivedLines, lines: readonly string[], now: number): string {
  const next: ReceivedLines = new Map()
  for (const [ip, e] of prev) if (now - e.at < ECHO_WINDOW_MS) next.set(ip, e)
  for (const line of lines) next.set(ipOf(line), {line, at: now})
  let text = ''
  for (const e of next.values()) text += `${e.at} ${e.line}\n`
  return text
}

/** Whether a hook event's queue line (without its newline) is what the peer itself just sent. */
export function isEcho(received: ReceivedLines, line: string, now: number): boolean {
  const e = received.get(ipOf(line))
  return e !== undefined && now - e.at < ECHO_WINDOW_MS && sameLease(e.line, line)
}

/** `add|del EXPIRY rest`: the same action and rest, and the expiry within the slack (0, infinite, only as itself). */
function sameLease(a: string, b: string): boolean {
  if (a === b) return true
  const [pa, pb] = [a.split(' '), b.split(' ')]
  if (pa.length !== pb.length || pa[0] !== pb[0]) return false
  for (let i = 2; i < pa.length; i++) if (pa[i] !== pb[i]) return false
  const [ea, eb] = [Number(pa[1]), Number(pb[1])]
  return ea > 0 && eb > 0 && Math.abs(ea - eb) <= ECHO_EXPIRY_SLACK_S
}
