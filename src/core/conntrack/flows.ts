/**
 * Flows by tuple: the lines of `conntrack -L` (the kernel table) and of `conntrackd -i` / `-e`
 * (its internal and external caches) reduced to one key per flow, so two nodes' tables can be
 * compared flow by flow instead of by count. Pure.
 */

// The words that name a flow: both directions' addresses and ports (NAT shows in the reply
// direction), ICMP's type/code/id, and the zone. Timers, states, marks and counters change
// while a flow lives and are left out.
const TUPLE_KEYS = new Set(['src', 'dst', 'sport', 'dport', 'type', 'code', 'id', 'zone'])

/** The flow's key ("tcp src=.. dst=.. sport=.. dport=.. src=.. ..."), or undefined for a line that is not a flow. */
export function flowKey(line: string): string | undefined {
  const words = line.trim().split(/\s+/)
  if (words.length < 3 || !/^[a-z][a-z0-9-]*$/.test(words[0])) return undefined
  // `conntrack -L` may prefix the layer-3 name ("ipv4 2 tcp 6 ..." with -o extended).
  const at = /^ipv[46]$/.test(words[0]) ? 2 : 0
  const parts = [words[at]]
  for (const w of words.slice(at + 1)) {
    const eq = w.indexOf('=')
    if (eq > 0 && TUPLE_KEYS.has(w.slice(0, eq))) parts.push(w)
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
