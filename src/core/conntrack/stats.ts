/**
 * The output of `conntrackd -s` (sync mode), parsed into counters. ha-tool compares these
 * across time (before and after a commit) and across nodes (the MASTER's internal cache
 * against a returning BACKUP's external cache), because conntrackd's exit codes prove nothing.
 */
export type CacheCounters = {
  /** Entries held now; absent for the cache-less variants (internal bypass, external inject). */
  active?: number
  created: number
  createdFailed: number
  updated: number
  updatedFailed: number
  destroyed: number
  destroyedFailed: number
}

export type LinkCounters = {
  transport: string
  device: string
  bytesSent: number
  bytesRecv: number
  packetsSent: number
  packetsRecv: number
  errorsSent: number
  errorsRecv: number
}

export type ConntrackdStats = {
  /** Flows this node's kernel owns ("cache internal", or "internal bypass" with DisableInternalCache). */
  internal?: CacheCounters
  internalBypass: boolean
  /** Flows received from the peer ("cache external", or "external inject" with DisableExternalCache). */
  external?: CacheCounters
  externalInject: boolean
  traffic?: {bytes: number; packets: number}
  link?: LinkCounters
  messages?: {malformed: number; lost: number}
}

const ZERO: CacheCounters = {created: 0, createdFailed: 0, updated: 0, updatedFailed: 0, destroyed: 0, destroyedFailed: 0}

/** Parses `conntrackd -s`; throws when the text has none of the sections a sync-mode daemon prints. */
export function parseConntrackdStats(text: string): ConntrackdStats {
  const out: ConntrackdStats = {internalBypass: false, externalInject: false}
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.split('\n').map((l) => l.trim()).filter(Boolean)
    if (lines.length === 0) continue
    const head = lines[0]
    const body = lines.slice(1)
    if (head === 'cache internal:') out.internal = cacheCounters(body)
    else if (head === 'cache external:') out.external = cacheCounters(body)
    else if (head === 'internal bypass:') { out.internal = cacheCounters(body); out.internalBypass = true }
    else if (head === 'external inject:') { out.external = cacheCounters(body); out.externalInject = true }
    else if (head === 'traffic processed:') {
      const m = /(\d+)\s+Bytes\s+(\d+)\s+Pckts/.exec(body.join(' '))
      if (m) out.traffic = {bytes: Number(m[1]), packets: Number(m[2])}
    } else if (head === 'message tracking:') {
      const m = /(\d+)\s+Malformed msgs\s+(\d+)\s+Lost msgs/.exec(body.join(' '))
      if (m) out.messages = {malformed: Number(m[1]), lost: Number(m[2])}
    } else {
      const link = /^(\S+) traffic \(active device=([^)]*)\)/.exec(head)
      if (link) out.link = linkCounters(link[1], link[2], body.join(' '))
    }
  }
  if (!out.internal && !out.external) throw new Error('not conntrackd -s output of a sync-mode daemon (no cache sections)')
  return out
}

function cacheCounters(lines: string[]): CacheCounters {
  const c: CacheCounters = {...ZERO}
  for (const line of lines) {
    const pair = /^connections (created|updated|destroyed|new):\s+(\d+)(?:\s+failed:\s+(\d+))?/.exec(line)
    if (pair) {
      const key = pair[1] === 'new' ? 'created' : pair[1] as 'created' | 'updated' | 'destroyed'
      c[key] = Number(pair[2])
      if (pair[3] !== undefined) c[`${key}Failed`] = Number(pair[3])
      continue
    }
    const active = /^current active connections:\s+(\d+)/.exec(line)
    if (active) c.active = Number(active[1])
  }
  return c
}

function linkCounters(transport: string, device: string, text: string): LinkCounters {
  const n = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0)
  return {
    transport,
    device,
    bytesSent: n(/(\d+)\s+Bytes sent/),
    bytesRecv: n(/(\d+)\s+Bytes recv/),
    packetsSent: n(/(\d+)\s+Pckts sent/),
    packetsRecv: n(/(\d+)\s+Pckts recv/),
    errorsSent: n(/(\d+)\s+Error send/),
    errorsRecv: n(/(\d+)\s+Error recv/),
  }
}
