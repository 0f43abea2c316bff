/**
 * systemd unit-file syntax (.network, networkd.conf): `[Section]` headers, `Key=Value`,
 * comments only at the start of a line (# or ;), backslash line continuation. A section may
 * repeat ([Route] twice is two routes), so sections are kept in order, not merged.
 */
export type IniSection = {name: string; entries: Array<[string, string]>; line: number}

export function parseIni(text: string): IniSection[] {
  const out: IniSection[] = []
  let current: IniSection | undefined
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].trim()
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i].trim()}`
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const header = /^\[([^\]]+)\]$/.exec(line)
    if (header) { current = {name: header[1], entries: [], line: i + 1}; out.push(current); continue }
    const eq = line.indexOf('=')
    if (eq === -1 || !current) continue
    current.entries.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()])
  }
  return out
}

/** The last value of a key in the named sections (systemd: the last assignment wins). */
export function iniValue(sections: IniSection[], section: string, key: string): string | undefined {
  let value: string | undefined
  for (const s of sections) if (s.name === section) for (const [k, v] of s.entries) if (k === key) value = v
  return value
}

export function sectionsNamed(sections: IniSection[], name: string): IniSection[] {
  return sections.filter((s) => s.name === name)
}

export function entry(section: IniSection, key: string): string | undefined {
  let value: string | undefined
  for (const [k, v] of section.entries) if (k === key) value = v
  return value
}

/** Whether a .network file's [Match] Name= matches an interface (space-separated globs). */
export function matchesName(sections: IniSection[], iface: string): boolean {
  const names = sectionsNamed(sections, 'Match').flatMap((s) => s.entries.filter(([k]) => k === 'Name').flatMap(([, v]) => v.split(/\s+/)))
  return names.some((glob) => globMatch(glob.replace(/^!/, ''), iface) !== glob.startsWith('!'))
}

function globMatch(glob: string, s: string): boolean {
  const re = new RegExp(`^${glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`)
  return re.test(s)
}
