import type {Role} from '../transition/types.js'

/**
 * Which way probes leave the node (DESIGN.md section 1, issue 5 "WAN-path aware"):
 * - `main`: wherever the routing tables send them (on a BACKUP: through the MASTER).
 * - `wan`: out of this node's own WAN and nowhere else (ICMP bound to the WAN device, socket
 *   probes to the WAN address and sent only when the kernel routes them out the WAN: see
 *   adapters/probes/icmp.ts and wan-route.ts), and only on the MASTER.
 *   A BACKUP never probes out of its WAN (its link is down, or it must stay silent: a frame
 *   with the shared MAC teaches the upstream switch to send the MASTER's traffic to it), so
 *   its WAN check is "standby": healthy without probing. Were it unhealthy, weight 0 would pin
 *   the BACKUP in FAULT and it could never take over.
 * - `auto`: `wan` when a WAN interface is configured, else `main`.
 */
export type Via = 'auto' | 'wan' | 'main'

export type WanAddresses = {exists: boolean; v4?: string; v6?: string}

export type ProbePath =
  | {mode: 'main'}
  | {mode: 'wan'; dev: string; v4?: string; v6?: string}
  | {mode: 'standby'; reason: string}
  /** No role recorded and keepalived could not tell: the documented rule (docs/health.md) is "not MASTER, counted healthy". */
  | {mode: 'unknown'; reason: string}

export function probePath(input: {via: Via; role: Role | undefined; wanInterface: string; wan?: WanAddresses; roleSource: string}): ProbePath {
  const via = input.via === 'auto' ? (input.wanInterface ? 'wan' : 'main') : input.via
  if (via === 'main') return {mode: 'main'}
  if (input.role === undefined) {
    return {mode: 'unknown', reason: `unknown: no role recorded (${input.roleSource}) and keepalived did not tell over D-Bus: no probes out of WAN ${input.wanInterface}, counted healthy so keepalived may still elect this node`}
  }
  if (input.role !== 'MASTER') {
    return {mode: 'standby', reason: `standby: role ${input.role}, so no probes out of WAN ${input.wanInterface} (only the MASTER probes its WAN)`}
  }
  return {mode: 'wan', dev: input.wanInterface, v4: input.wan?.v4, v6: input.wan?.v6}
}
