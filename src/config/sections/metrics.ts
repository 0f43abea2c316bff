import {parseListen} from '../../core/metrics/listen.js'
import {int, str} from '../spec.js'

const absoluteOrOff = (v: string) => (v === '' || v.startsWith('/') ? undefined : 'an absolute directory path, or "" (off)')
const listenOrOff = (v: string) => {
  if (v === '') return undefined
  const r = parseListen(v)
  return 'error' in r ? r.error : undefined
}

export const metrics = {
  textfile_dir: str('', 'directory of node_exporter\'s textfile collector (--collector.textfile.directory): the daemon writes ha-tool.prom there atomically every interval_ms and after each transition; "" = off', {check: absoluteOrOff}),
  listen: str('', 'also serve the metrics over HTTP at http://HOST:PORT/metrics, loopback only (e.g. "127.0.0.1:9469"); "" = off', {check: listenOrOff}),
  interval_ms: int(15000, 1000, 3600000, 'how often the daemon collects the metrics (role, WAN, conntrackd, leases, health: what `status` reads)'),
} as const
