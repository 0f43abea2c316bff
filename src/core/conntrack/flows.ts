/**
 * Flows by tuple: the lines of `conntrack -L` (the kernel table) and of `conntrackd -i` / `-e`
 * (its internal and external caches) reduced to one key per flow, so two nodes' tables can be
 * compared flow by flow instead of by count. Pure.
 */

// The words that name a flow, per protocol: the ORIGINAL direction's addresses and ports, or
// ICMP's type/code/id. conntrackd's external cache prints only that direction (it replicates the
// original tuple and rebuilds the reply from the NAT attributes: `conntrackd -e` shows
// "tcp 6 ESTABLISHED src=.. dst=.. sport=.. dport=.. [UNREPLIED] [ASSURED] mark=0 [active since 1s]"
// where `conntrack -L` shows both directions), and the original tuple alone names a flow in the
// table. Timers, states, marks, counters and the reply direction are left out.
const PORTS = ['src', 'dst', 'sport', 'dport']
const ICMP = ['src', 'dst', 'type', 'code', 'id']
const tupleKeys = (proto: string): readonly string[] => (/^icmp/.test(proto) ? ICMP : ['tcp', 'udp', 'sctp', 'dccp', 'udplite'].includes(proto) ? PORTS : ['src', 'dst'])

/** The flow's key ("tcp src=.. dst=.. sport=.. dport=.."), or undefined for a line that is not a flow. */
export function flowKey(line: string): string | undefined {
  const words = line.trim().split(/\s+/)
  if (words.length < 3 || !/^[a-z][a-z0-9-]*$/.test(words[0])) return undefined
  // `conntrack -L -o extended` and conntrackd may prefix the layer-3 name ("ipv4 2 tcp 6 ...").
  const at = /^ipv[46]$/.test(words[0]) ? 2 : 0
  const proto = words[at]
  const keys = tupleKeys(proto)
  const seen = new Map<string, number>()
  const parts = [proto]
  for (const w of words.slice(at + 1)) {
    const eq = w.indexOf('=')
    if (eq <= 0) continue
    const k = w.slice(0, eq)
    if (!keys.includes(k) || seen.has(k)) continue
    seen.set(k, (seen.get(k) ?? 0) + 1)
    parts.push(w)
  }
  return parts.length >= 3 ? parts.join(' ') : undefined
}

export function parseFlows(text: string): Set<string> {
  const out = new Set<string>()
  for (const line of text.split('\n')) {
    const k = flowKey(line)
    if (k) out.add(k)
  }
  return out
}

/**
 * One record the MASTER sends per flow (`ha-tool peer flows`): "K\t<key>" for a kernel flow that
 * conntrackd replicates (in its internal cache too), "L\t<key>" for a kernel flow it does not
 * (local or filtered traffic), so the BACKUP can tell "missing" from "never sent".
 */
export type FlowRecord = {replicated: boolean; key: string}

export function masterFlowRecords(kernel: ReadonlySet<string>, internal: ReadonlySet<string> | undefined): FlowRecord[] {
  return [...kernel].map((key) => ({key, replicated: internal ? internal.has(key) : true}))
}

export const formatFlowRecord = (r: FlowRecord): string => `${r.replicated ? 'K' : 'L'}\t${r.key}`

export function parseFlowRecord(line: string): FlowRecord | undefined {
  const m = /^([KL])\t(.+)$/.exec(line)
  return m ? {replicated: m[1] === 'K', key: m[2]} : undefined
}

export type FlowComparison = {
  verdict: 'in-sync' | 'behind'
  /** Flows the MASTER's kernel holds and conntrackd replicates. */
  master: number
  /** Flows this node holds from the MASTER (its external cache). */
  local: number
  /** Replicated MASTER flows this node lacks. */
  missing: number
  /** Flows this node holds that the MASTER's kernel no longer has (closed since, or stale). */
  extra: number
  allowed: number
  /** A few of each, for the log and status. */
  sampleMissing: string[]
  sampleExtra: string[]
}

const SAMPLE = 5

/**
 * By tuple: every flow the MASTER routes and replicates should be in this node's cache. Flows
 * that open while the two tables are read cannot be there yet: `allowed` of them may be missing.
 */
export function compareFlows(master: readonly FlowRecord[], local: ReadonlySet<string>, tol: {percent: number; absolute: number}): FlowComparison {
  const kernel = new Set<string>()
  const missing: string[] = []
  let replicated = 0
  for (const r of master) {
    kernel.add(r.key)
    if (!r.replicated) continue
    replicated++
    if (!local.has(r.key)) missing.push(r.key)
  }
  const extra = [...local].filter((k) => !kernel.has(k))
  const allowed = Math.max(tol.absolute, Math.ceil((replicated * tol.percent) / 100))
  return {
    verdict: missing.length <= allowed ? 'in-sync' : 'behind',
    master: replicated, local: local.size, missing: missing.length, extra: extra.length, allowed,
    sampleMissing: missing.slice(0, SAMPLE), sampleExtra: extra.slice(0, SAMPLE),
  }
}
