/**
 * An IPv6 address in text form as its eight 16-bit groups, or undefined when it is not one
 * ("::" shorthand and a trailing dotted IPv4 part accepted; no zone index, no prefix length).
 */
export function parseIpv6(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length > 45) return undefined
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const groups = (part: string): number[] | undefined => {
    if (part === '') return []
    const out: number[] = []
    const items = part.split(':')
    for (const [i, item] of items.entries()) {
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = item.split('.')
        if (v4.length !== 4 || v4.some((o) => !/^\d{1,3}$/.test(o) || Number(o) > 255)) return undefined
        const b = v4.map(Number)
        out.push(b[0] * 256 + b[1], b[2] * 256 + b[3])
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) out.push(Number.parseInt(item, 16))
      else return undefined
    }
    return out
  }
  const head = groups(halves[0])
  const tail = halves.length === 2 ? groups(halves[1]) : []
  if (!head || !tail) return undefined
  if (halves.length === 1) return head.length === 8 ? head : undefined
  const fill = 8 - head.length - tail.length
  return fill >= 1 ? [...head, ...Array<number>(fill).fill(0), ...tail] : undefined
}

/** fe80::/10: the link-local unicast prefix. */
export function isLinkLocal6(groups: readonly number[]): boolean {
  return (groups[0] & 0xffc0) === 0xfe80
}

/** ff00::/8: multicast. */
export function isMulticast6(groups: readonly number[]): boolean {
  return (groups[0] & 0xff00) === 0xff00
}
