import type {ShowResult} from '../../app/leases/show-leases.js'

/** `leases show` as a table; expired leases are marked (as of the run). */
export function renderLeasesShow(r: ShowResult): string {
  if (r.leases.length === 0) return 'no leases'
  const rows = r.leases.map((l) => [
    l.ip,
    l.family === 4 ? l.mac : `iaid ${l.iaid}`,
    l.host,
    l.family === 4 ? l.clientId : l.duid,
    l.expires === null ? 'never' : `${l.expires.replace('.000Z', 'Z')}${l.expired ? ' (expired)' : ''}`,
  ])
  const head = ['ADDRESS', 'MAC/IAID', 'HOST', 'CLIENT-ID/DUID', 'EXPIRES']
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
  return [head, ...rows].map((row) => row.map((v, i) => (i === row.length - 1 ? v : v.padEnd(width[i]))).join('  ')).join('\n')
}
