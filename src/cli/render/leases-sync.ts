import type {SyncResult} from '../../app/leases/sync-leases.js'
import {renderMergeReport} from '../../core/leases/render.js'

export function renderLeasesSync(r: SyncResult): string {
  const how = {unchanged: 'nothing to change', file: `wrote ${r.file} (dnsmasq stopped)`, dbus: 'told the running dnsmasq over D-Bus', restart: `wrote ${r.file} and restarted dnsmasq`, deferred: 'dnsmasq runs without D-Bus: left for a restart'}[r.method]
  const head = renderMergeReport(r.report, `synced with ${r.peer} (${r.peerLeases} peer leases${r.flushed ? `, ${r.flushed} queued changes sent` : ''}): ${how}`)
  const {pending, setAside, dir, error} = r.queue
  return [
    head,
    ...(pending ? [`${pending} queued lease change batch${pending === 1 ? '' : 'es'} not delivered (${dir})${error ? `: ${error}` : ''}`] : []),
    ...(setAside ? [`${setAside} batch${setAside === 1 ? '' : 'es'} refused by the peer, set aside in ${dir}/rejected (each .why says why; delete them once read)`] : []),
  ].join('\n')
}
