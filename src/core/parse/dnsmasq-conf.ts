/** dnsmasq.conf: `option=value` or a bare `option`, one per line, `#` comments. */
export type DnsmasqOption = {name: string; value: string; line: number}

export function parseDnsmasqConf(text: string): DnsmasqOption[] {
  const out: DnsmasqOption[] = []
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const eq = line.indexOf('=')
    out.push(eq === -1 ? {name: line, value: '', line: i + 1} : {name: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim(), line: i + 1})
  })
  return out
}

/**
 * The address dnsmasq hands out for a DHCP option (router = 3, dns-server = 6), from
 * `dhcp-option=[tag:...,]option:router,IP` or `dhcp-option=3,IP`; undefined when not set
 * (dnsmasq then sends the address of the interface the request came in on).
 */
export function dhcpOptionValue(options: DnsmasqOption[], which: 'router' | 'dns-server'): string[] | undefined {
  const number = which === 'router' ? '3' : '6'
  let found: string[] | undefined
  for (const o of options) {
    if (o.name !== 'dhcp-option' && o.name !== 'dhcp-option-force') continue
    const parts = o.value.split(',').map((p) => p.trim())
    // Skip tag:, set:, encap:, vendor: and similar prefixes before the option itself.
    let i = 0
    while (i < parts.length && /^(tag|set|encap|vi-encap|vendor|net|interface):/.test(parts[i])) i++
    const opt = parts[i]
    if (opt === `option:${which}` || opt === number) found = parts.slice(i + 1)
  }
  return found
}
