import {networkInterfaces} from 'node:os'
import type {WanAddresses} from '../core/health/path.js'

/**
 * The WAN interface's addresses, from getifaddrs(3) (no child process: this runs in every
 * check). IPv6 link-local addresses are skipped: they cannot source a probe beyond the link.
 */
export function readWanAddresses(dev: string): WanAddresses {
  const list = networkInterfaces()[dev]
  if (!list) return {exists: false}
  const v4 = list.find((a) => a.family === 'IPv4')?.address
  const v6 = list.find((a) => a.family === 'IPv6' && !a.address.toLowerCase().startsWith('fe80:'))?.address
  return {exists: true, ...(v4 ? {v4} : {}), ...(v6 ? {v6} : {})}
}
