import type {HookResult} from '../../app/leases/lease-hook.js'

/** init: dnsmasq reads the database from stdout, lease-file format, nothing else; other actions print nothing. */
export function renderLeasesHook(r: HookResult): string {
  if (r.database === undefined) return ''
  return r.database.endsWith('\n') ? r.database.slice(0, -1) : r.database
}
