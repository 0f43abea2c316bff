import {bool, str} from '../spec.js'
import {absoluteOrEmpty} from './paths.js'

export const keepalived = {
  instance: str('', 'VRRP instance or sync group whose state drives this node; "" = the only one there is'),
  fifo: str('', 'notify FIFO keepalived writes (vrrp_notify_fifo) and the daemon reads when it is not started by keepalived as notify_fifo_script; "" = <state.dir>/notify.fifo', {check: absoluteOrEmpty}),
  dbus: bool(true, 'ask keepalived over D-Bus (org.keepalived.Vrrp1, needs enable_dbus) for the current role at daemon start-up and in status'),
  config: str('/etc/keepalived/keepalived.conf', 'keepalived.conf, read by doctor and by the daemon\'s watchdog (the VIPs to release; unreadable: keepalived\'s VMAC links in the kernel)'),
  pidfile: str('/run/keepalived.pid', 'keepalived\'s pid file (-p): only a hint for the daemon\'s watchdog, which decides from the notify FIFO closing and the process table'),
  watchdog: bool(true, 'daemon as its own service: when keepalived dies without a STOP event (kill -9, crash), converge to STOP so this node stops routing out the WAN'),
} as const
