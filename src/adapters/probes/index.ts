import type {Target} from '../../core/health/targets.js'
import {icmpProbe} from './icmp.js'
import type {ProbeOptions, ProbeOutcome, Prober} from './types.js'

/**
 * The real prober: ICMP (system ping), TCP connect, DNS query, HTTP(S) GET. The DNS, TCP and
 * HTTP modules load on first use, so a check of ICMP targets (the common one) never parses
 * node:https and its TLS stack on the path keepalived runs every second.
 */
export function createProber(): Prober {
  return async (target: Target, opts: ProbeOptions): Promise<ProbeOutcome> => {
    switch (target.kind) {
      case 'icmp': return icmpProbe(target, opts)
      case 'tcp': return (await import('./tcp.js')).tcpProbe(target, opts)
      case 'dns': return (await import('./dns.js')).dnsProbe(target, opts)
      case 'http': return (await import('./http.js')).httpProbe(target, opts)
    }
  }
}

export type {ProbeOptions, ProbeOutcome, Prober, ProbeSource} from './types.js'
