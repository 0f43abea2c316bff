import type {MergeReport} from './merge.js'

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** One summary line, then a line per conflict and per dropped lease (at most `limit` of each). */
export function renderMergeReport(r: MergeReport, head: string, limit = 20): string {
  const lines = [`${head}: ${plural(r.leases, 'lease')} (${r.added} added, ${r.updated} updated, ${r.dropped} dropped, ${plural(r.conflicted, 'conflict')})`]
  for (const c of r.conflicts.slice(0, limit)) lines.push(`  conflict ${c.ip}: kept "${c.kept ?? '-'}", lost "${c.lost}": ${c.reason}`)
  if (r.conflicted > Math.min(limit, r.conflicts.length)) lines.push(`  ... ${r.conflicted - Math.min(limit, r.conflicts.length)} more conflicts (--json lists all)`)
  for (const d of r.droppedLeases.slice(0, limit)) lines.push(`  dropped ${d.ip} (${d.reason}): "${d.lease}"`)
  const shown = Math.min(limit, r.droppedLeases.length)
  if (r.dropped > shown) lines.push(`  ... ${r.dropped - shown} more dropped (--json lists all)`)
  return lines.join('\n')
}
