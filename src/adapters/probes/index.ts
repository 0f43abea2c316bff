import type {Target} from '../../core/health/targets.js'
import {icmpProbe} from './icmp.js'
import type {ProbeOptions, ProbeOutcome, Prober} from './types.js'

/**
 * The real prober: ICMP (system ping), TCP connect, DNS query, HTTP(S) GET. The DNS, TCP and
 * HTTP modules load on first use, so a check of ICMP targets (the common one) never parses
 * node:https and its TLS stack on the path keepalived runs every second.
 */
export function createProber(): Prober {
  // Imported once each: the monitor probes every cycle, and import() is not free even when cached.
  let tcp: typeof import('./tcp.js') | undefined
  let dns: typeof import('./dns.js') | undefined
  let http: typeof import('./http.js') | undefined
  return async (target: Target, opts: ProbeOptions): Promise<ProbeOutcome> => {
    switch (target.kind) {
      case 'icmp': return icmpProbe(target, opts)
      case 'tcp': return (tcp ??= await import('./tcp.js')).tcpProbe(target, opts)
      case 'dns': return (dns ??= await import('./dns.js')).dnsProbe(target, opts)
      case 'http': return (http ??= await import('./http.js')).httpProbe(target, opts)
    }
  }
}

export type {ProbeOptions, ProbeOutcome, Prober, ProbeSource} from './types.js'
