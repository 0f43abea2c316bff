import {parseStatusRange, parseTargets, TARGET_FORMS} from '../../core/health/targets.js'
import {bool, int, list, oneOf, str} from '../spec.js'

const targetsCheck = (v: string[]) => {
  const r = parseTargets(v)
  return 'error' in r ? `targets of the form ${TARGET_FORMS} (${r.error})` : undefined
}
const statusCheck = (v: string) => {
  const r = parseStatusRange(v)
  return 'error' in r ? r.error : undefined
}

export const health = {
  targets: list([], `what check and the daemon's monitor probe: ${TARGET_FORMS}`, targetsCheck),
  min_ok: int(1, 1, 1000, 'healthy when at least this many targets answer (must not exceed the number of targets)'),
  via: oneOf(['auto', 'wan', 'main'], 'auto', 'wan: probe out of this node\'s WAN, and only on the MASTER (a BACKUP is "standby": healthy, no probes); main: through the routing tables as they are; auto: wan when wan.interface is set'),
  timeout_ms: int(800, 10, 600000, 'deadline of one check run, all probes included; keep it under keepalived\'s vrrp_script timeout and under interval_ms'),
  probe_timeout_ms: int(0, 0, 600000, 'how long one probe may take; 0 = timeout_ms'),
  interval_ms: int(1000, 100, 3600000, 'how often the daemon\'s monitor runs a check cycle (and the vrrp_script interval check is run at)'),
  rise: int(2, 1, 100, 'consecutive good cycles before the monitor reports healthy again'),
  fall: int(2, 1, 100, 'consecutive failed cycles before the monitor reports unhealthy'),
  http_status: str('200-399', 'HTTP(S) statuses that count as healthy: "LO-HI" or one status', {check: statusCheck}),
  monitor: bool(true, 'run the health monitor in `ha-tool daemon`, writing track_file every interval_ms'),
  track_file: str('', 'keepalived track_file the monitor and maintenance write (0 healthy, 1 unhealthy, 2 maintenance); "" = <state.dir>/track; must be in state.dir'),
  maintenance_file: str('', 'where `maintenance on` persists its flag; "" = <state.dir>/maintenance (tmpfs: cleared at reboot; point it into /var/lib/ha-tool/ to keep it); must be in state.dir or /var/lib/ha-tool/'),
} as const
