import type {NodeStatus, PairStatus} from '../../app/status.js'
import type {ReplicationView} from '../../core/leases/replication.js'

/** This node's view, or both nodes side by side with --peer. */
export function renderStatusResult(s: NodeStatus | PairStatus): string {
  return 'local' in s ? renderPair(s) : renderStatus(s)
}

/** The summary rows shared by the one-node view and the side-by-side pair view. */
function summaryRows(s: NodeStatus): Array<[string, string]> {
  const na = (x: {available: false; reason: string}) => `unavailable: ${x.reason}`
  const rows: Array<[string, string]> = []
  rows.push(['role', `${s.role.role} (${s.role.source === 'keepalived-dbus' ? `keepalived D-Bus${s.role.instance ? `, ${s.role.instance}` : ''}` : s.role.source === 'state-file' ? 'last transition' : 'unknown'})${s.role.applied ? `, last applied ${s.role.applied}` : ''}`])
  const t = s.transitions
  rows.push(['last transition', !t.available ? na(t) : t.last ? `${t.last.role} via ${t.last.source} at ${t.last.startedAt}, ${t.last.durationMs} ms, exit ${t.last.exit}` : 'none recorded'])
  const w = s.wan
  rows.push(['wan', !w.available ? na(w) : !w.exists ? `${w.interface} missing` : `${w.interface} ${w.adminUp ? 'up' : 'down'}${w.carrier ? '' : ' no-carrier'} ${w.addresses.join(' ') || 'no address'}${w.silenced ? ' (silenced)' : ''}`])
  const copies = (n: number) => (n === 0 ? 'absent' : n === 1 ? 'present' : `${n} copies`)
  rows.push(['wan rule', !w.available ? na(w) : `to all lookup ${w.rule.table} priority ${w.rule.priority}: ${copies(w.rule.copies)}; table ${w.rule.table} default route ${w.defaultRoute ? 'yes' : 'no'}`])
  rows.push(['wan rule ipv6', !w.available ? na(w) : !w.ipv6 ? 'not read (wan.ipv6 = false, or no IPv6 in this kernel)' : `${copies(w.ipv6.ruleCopies)}; table ${w.rule.table} IPv6 default route ${w.ipv6.defaultRoute ? 'yes' : 'no'}`])
  // A peer running an older ha-tool reports no delegatedPrefixes.
  const delegated = w.available && w.ipv6 ? (w.ipv6.delegatedPrefixes as string[] | undefined) : undefined
  rows.push(['wan prefix ipv6', !w.available ? na(w) : !w.ipv6 ? 'not read' : !delegated ? 'unknown' : delegated.length > 0 ? `${delegated.join(', ')} (delegated by DHCPv6)` : 'none delegated'])
  const c = s.conntrackd
  rows.push(['conntrackd', !c.available ? na(c) : `internal ${c.internal ?? (c.internalBypass ? 'bypass' : '?')}, external ${c.external ?? (c.externalInject ? 'inject' : '?')}`])
  const l = s.leases
  rows.push(['leases', !l.available ? na(l) : `${l.count} in ${l.file}; last sync ${l.lastSync ? `${l.lastSync.ageS} s ago${l.lastSync.ok ? '' : ' (failed)'}` : 'unknown'}`])
  // Always a row (the pair view lines the two nodes' rows up by position).
  const r = l.available ? l.replication : undefined
  const age = (d: ReplicationView['toPeer']) => (d.ageS === null ? 'never' : `${d.ageS} s ago`) + (d.lastTryOk === false ? ' (latest try failed)' : '')
  rows.push(['replication', !l.available ? na(l) : !r ? 'unknown' : `to peer ${age(r.toPeer)}, from peer ${age(r.fromPeer)}; queue ${r.queue.pending}${r.queue.setAside ? ` (+${r.queue.setAside} set aside)` : ''}; changes from the ${r.changesFrom === 'lease-file' ? 'lease file' : 'hook'}${r.warning ? `; WARNING ${r.warning}` : ''}`])
  const h = s.health
  rows.push(['health', !h.available ? na(h) : `${h.verdict ?? 'no monitor verdict'}${h.reason ? `: ${h.reason}` : ''}${h.monitorRunning === false ? ' (monitor not running)' : ''}; track_file ${h.trackValue ?? 'missing'}`])
  const g = s.failbackGate
  rows.push(['failback gate', !g?.available ? na(g ?? {available: false, reason: 'not reported'}) : g.open ? `open since ${g.since}${g.timedOut ? ' (TIMED OUT)' : ''}: ${g.reason}` : `CLOSED since ${g.since}: ${g.missing ?? '?'} of the MASTER's ${g.masterFlows ?? '?'} flows missing${g.extra ? `, ${g.extra} extra` : ''}`])
  const m = s.maintenance
  rows.push(['maintenance', !m.available ? na(m) : m.on ? `ON since ${m.since ?? '?'}${m.by ? ` by ${m.by}` : ''}` : 'off'])
  return rows
}

export function renderStatus(s: NodeStatus): string {
  const rows = summaryRows(s)
  const width = Math.max(...rows.map(([k]) => k.length))
  const out = [`${s.node} at ${s.at}`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)]
  if (s.role.note) out.push(`  ${''.padEnd(width)}  (${s.role.note})`)
  if (s.transitions.available && s.transitions.last) {
    out.push('', `steps of the last transition (${s.transitions.last.role}):`)
    for (const st of s.transitions.last.steps) out.push(`  ${st.status.padEnd(7)} ${String(Math.round(st.durationMs * 10) / 10).padStart(7)} ms  ${st.kind}: ${st.why}${st.error ? ` -- ${st.error}` : st.detail ? ` (${st.detail})` : ''}`)
    if (s.transitions.history.length > 0) {
      out.push('earlier:')
      for (const h of s.transitions.history.slice(0, 5)) out.push(`  ${h.startedAt}  ${h.role.padEnd(6)} via ${h.source}, ${h.durationMs} ms, exit ${h.exit}`)
    }
  }
  return out.join('\n')
}

/** Both nodes, one row per fact, side by side. */
export function renderPair(p: PairStatus): string {
  const left = summaryRows(p.local)
  const right = 'version' in p.peer ? summaryRows(p.peer) : left.map(([k]) => [k, k === 'role' ? `unavailable: ${(p.peer as {reason: string}).reason}` : ''] as [string, string])
  const keyW = Math.max(...left.map(([k]) => k.length))
  const colW = Math.min(60, Math.max(p.local.node.length, ...left.map(([, v]) => v.length)))
  const cut = (s: string) => (s.length > colW ? `${s.slice(0, colW - 1)}…` : s)
  const peerName = 'version' in p.peer ? p.peer.node : 'peer'
  const out = [`  ${''.padEnd(keyW)}  ${cut(p.local.node).padEnd(colW)}  ${peerName}`]
  left.forEach(([k, v], i) => out.push(`  ${k.padEnd(keyW)}  ${cut(v).padEnd(colW)}  ${right[i]?.[1] ?? ''}`))
  return out.join('\n')
}
