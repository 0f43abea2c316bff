import type {MaintenanceResult} from '../../app/maintenance.js'

export function renderMaintenanceOn(r: MaintenanceResult): string {
  return `maintenance on${r.changed ? '' : ' (already)'}: ${r.trackFile} = ${r.value}; keepalived demotes this node (FAULT with weight 0) until \`ha-tool maintenance off\``
}

export function renderMaintenanceOff(r: MaintenanceResult): string {
  return `maintenance off${r.changed ? '' : ' (was not on)'}: ${r.trackFile} = ${r.value}${r.value === 0 ? '; this node is eligible again' : '; the health monitor still finds this node unhealthy'}`
}
