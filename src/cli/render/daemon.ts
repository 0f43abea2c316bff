import type {DaemonSummary} from '../../app/daemon.js'

export function renderDaemon(s: DaemonSummary): string {
  return `daemon stopped: ${s.lines} FIFO lines, ${s.transitions} transitions${s.lastRole ? `, last ${s.lastRole}` : ''}`
}
