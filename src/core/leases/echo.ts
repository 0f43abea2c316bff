/**
 * Echo suppression for lease replication. A lease the peer pushed reaches the running dnsmasq over
 * D-Bus (AddDhcpLease / DeleteDhcpLease), and dnsmasq then runs its dhcp-script for it like for any
 * change, so without this every replicated change came straight back to the node that sent it:
 * twice the ssh pushes and, worse, twice the serial hook runs on both nodes during a burst.
 * `leases receive` records what it applied; the hook drops an event whose queue line is exactly a
 * line received moments ago (the peer holds exactly that lease, so there is nothing to tell it).
 */

/** How long a received line counts as the peer's own: long enough for dnsmasq's serial script queue. */
export const ECHO_WINDOW_MS = 120_000

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
  return e !== undefined && e.line === line && now - e.at < ECHO_WINDOW_MS
}
