import type {Role, StepOf} from '../transition/types.js'

/** The [dnsmasq] keys the lease steps depend on (structural, so core needs nothing from config/). */
export type LeaseStepConfig = {dnsmasq: {enabled: boolean; stop_on_backup: boolean; pull_wait_ms: number}}

/**
 * Lease steps for the planner's afterWan slot (role changes only).
 * MASTER: pull the peer's leases and merge them in first, then make sure dnsmasq runs: dnsmasq
 * reads its lease file only at start-up, so the merge should land before it starts (or reach a
 * running one through D-Bus or a restart, which leases.pull decides). A peer that has not answered
 * in dnsmasq.pull_wait_ms does not hold DHCP back: the pull starts dnsmasq then and merges later.
 * Both are non-critical: a dead peer is the usual reason for a promotion, and serving DHCP matters
 * more than its leases.
 * BACKUP/FAULT/STOP: in active/passive mode stop dnsmasq, so only the MASTER answers clients.
 */
export type LeaseStep = StepOf<'leases.pull' | 'dnsmasq.start' | 'dnsmasq.stop'>

export function leaseSteps(role: Role, config: LeaseStepConfig): LeaseStep[] {
  const c = config.dnsmasq
  if (!c.enabled) return []
  if (role === 'MASTER') {
    return [
      {kind: 'leases.pull', args: {allowRestart: true, startDnsmasqAfterMs: c.pull_wait_ms}, why: `pull the peer's DHCP leases and merge them into this node's (dnsmasq starts without them if the peer has not answered in ${c.pull_wait_ms} ms)`, critical: false},
      {kind: 'dnsmasq.start', args: {}, why: 'start dnsmasq (if stopped) so it serves the merged leases', critical: false},
    ]
  }
  if (c.stop_on_backup) return [{kind: 'dnsmasq.stop', args: {}, why: `stop dnsmasq on ${role} (active/passive DHCP)`, critical: false}]
  return []
}
