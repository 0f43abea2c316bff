import type {SyncResult} from '../../app/leases/sync-leases.js'
import {renderMergeReport} from '../../core/leases/render.js'

export function renderLeasesSync(r: SyncResult): string {
  const how = {unchanged: 'nothing to change', file: `wrote ${r.file} (dnsmasq stopped)`, dbus: 'told the running dnsmasq over D-Bus', restart: `wrote ${r.file} and restarted dnsmasq`, deferred: 'dnsmasq runs without D-Bus: left for a restart'}[r.method]
  return renderMergeReport(r.report, `synced with ${r.peer} (${r.peerLeases} peer leases${r.flushed ? `, ${r.flushed} queued changes sent` : ''}): ${how}`)
}
