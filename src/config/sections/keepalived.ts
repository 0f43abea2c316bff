import {bool, int, str} from '../spec.js'
import {absoluteOrEmpty} from './paths.js'

export const keepalived = {
  instance: str('', 'VRRP instance or sync group whose state drives this node; "" = the only one there is'),
  fifo: str('', 'notify FIFO keepalived writes (vrrp_notify_fifo) and the daemon reads when it is not started by keepalived as notify_fifo_script; "" = <state.dir>/notify.fifo', {check: absoluteOrEmpty}),
  priority: int(100, 1, 254, 'VRRP priority `config example keepalived` writes; both nodes the same (with nopreempt whoever is MASTER stays MASTER), or higher on the node that should win when both start at once (and, with keepalived.preempt, take MASTER back when it returns)'),
  advert_int_ms: int(100, 10, 255000, 'VRRP advert_int `config example keepalived` writes, in milliseconds (keepalived counts in centiseconds: a multiple of 10)', (v) => (v % 10 === 0 ? undefined : 'a multiple of 10 (keepalived counts in centiseconds)')),
  preempt: bool(false, 'what `config example keepalived` writes: false = nopreempt (whoever is MASTER stays MASTER); true = the node with the higher keepalived.priority takes MASTER back when it returns, once the daemon\'s failback gate has let it (docs/failback.md)'),
  preempt_delay_ms: int(2000, 0, 1_000_000, 'with keepalived.preempt: the preempt_delay `config example keepalived` writes, in milliseconds: keepalived waits this long after its start (and after seeing a lower-priority MASTER) before it preempts, so that `ha-tool daemon`, started with it, closes the failback gate first'),
  vrrp_priority: int(0, -20, 19, 'how `config example keepalived` schedules keepalived\'s VRRP process: 0 = real-time from the start (vrrp_rt_priority 1, max_auto_priority, vrrp_rlimit_rttime 100000: keepalived\'s 10 ms limit SIGKILLs the VRRP child in MASTER transitions on a loaded host); otherwise this nice value (vrrp_priority), no real-time (docs/failover.md)'),
  dbus: bool(true, 'ask keepalived over D-Bus (org.keepalived.Vrrp1, needs enable_dbus) for the current role at daemon start-up and in status'),
  config: str('/etc/keepalived/keepalived.conf', 'keepalived.conf, read by doctor and by the daemon\'s watchdog (the VIPs to release; unreadable: keepalived\'s VMAC links in the kernel)'),
  pidfile: str('/run/keepalived.pid', 'keepalived\'s pid file (-p): only a hint for the daemon\'s watchdog, which decides from the notify FIFO closing and the process table'),
  watchdog: bool(true, 'daemon as its own service: when keepalived dies without a STOP event (kill -9, crash), converge to STOP so this node stops routing out the WAN'),
} as const
