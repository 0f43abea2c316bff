import type {ReceiveResult} from '../../app/leases/receive-leases.js'

export function renderLeasesReceive(r: ReceiveResult): string {
  return `${r.events} change${r.events === 1 ? '' : 's'} received: ${r.method}`
}
