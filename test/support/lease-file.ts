import {readFileSync} from 'node:fs'

/** A dnsmasq lease file as MAC -> address (IPv4 lines only); empty while the file is not written yet. */
export function leasesByMac(file: string): Map<string, string> {
  const m = new Map<string, string>()
  try {
    for (const l of readFileSync(file, 'latin1').split('\n')) {
      const f = l.split(' ')
      if (f.length === 5) m.set(f[1], f[2])
    }
  } catch { /* not written yet */ }
  return m
}
