/**
 * Just enough of the nftables language to find chains, their hooks and their rules, in the
 * output of `nft list ruleset` or an nftables.conf. Sets, maps and flowtables are skipped;
 * anonymous sets inside a rule (`iifname { "a", "b" }`) stay part of the rule's text.
 */
export type NftChain = {family: string; table: string; name: string; hook?: string; type?: string; device?: string; rules: string[]}
export type NftTable = {family: string; name: string; chains: NftChain[]}

export function parseNftRuleset(text: string): NftTable[] {
  const tokens = tokenize(text)
  const tables: NftTable[] = []
  let i = 0
  const skipStatement = () => { while (i < tokens.length && tokens[i] !== '\n' && tokens[i] !== ';') i++ }
  const skipBlock = () => {
    let depth = 0
    for (; i < tokens.length; i++) {
      if (tokens[i] === '{') depth++
      else if (tokens[i] === '}' && --depth === 0) { i++; return }
    }
  }
  while (i < tokens.length) {
    const t = tokens[i]
    if (t === 'table') {
      // `table FAMILY NAME {` (family optional: ip) or a bare `table ... ` declaration.
      const words: string[] = []
      i++
      while (i < tokens.length && !['{', '\n', ';'].includes(tokens[i])) words.push(tokens[i++])
      const [family, name] = words.length >= 2 ? [words[0], words[1]] : ['ip', words[0] ?? '']
      if (tokens[i] !== '{') continue
      i++
      let table = tables.find((x) => x.family === family && x.name === name)
      if (!table) tables.push(table = {family, name, chains: []})
      parseTableBody(table)
      continue
    }
    if (t === '{') { skipBlock(); continue }
    if (t === '\n' || t === ';' || t === '}') { i++; continue }
    skipStatement()
  }
  return tables

  function parseTableBody(table: NftTable): void {
    while (i < tokens.length && tokens[i] !== '}') {
      const t = tokens[i]
      if (t === 'chain') {
        const name = tokens[i + 1]
        i += 2
        if (tokens[i] !== '{') { skipStatement(); continue }
        i++
        table.chains.push(parseChain(table, name))
        continue
      }
      if (t === '\n' || t === ';') { i++; continue }
      // set, map, flowtable, counter...: skip the whole declaration.
      while (i < tokens.length && tokens[i] !== '{' && tokens[i] !== '\n' && tokens[i] !== '}') i++
      if (tokens[i] === '{') skipBlock()
    }
    i++
  }

  function parseChain(table: NftTable, name: string): NftChain {
    const chain: NftChain = {family: table.family, table: table.name, name, rules: []}
    let stmt: string[] = []
    let depth = 0
    const flush = () => {
      const s = stmt.join(' ').replace(/\s*,\s*/g, ', ').trim()
      stmt = []
      if (s === '') return
      const base = /^type\s+(\S+)\s+hook\s+(\S+)(?:\s+device\s+(\S+))?/.exec(s)
      if (base) { chain.type = base[1]; chain.hook = base[2]; chain.device = base[3]?.replace(/^"|"$/g, ''); return }
      if (/^policy\s/.test(s) || /^comment\s/.test(s)) return
      chain.rules.push(s)
    }
    for (; i < tokens.length; i++) {
      const t = tokens[i]
      if (t === '{') { depth++; stmt.push(t); continue }
      if (t === '}') {
        if (depth === 0) { flush(); i++; return chain }
        depth--; stmt.push(t); continue
      }
      if ((t === '\n' || t === ';') && depth === 0) { flush(); continue }
      if (t === '\n') continue
      stmt.push(t)
    }
    flush()
    return chain
  }
}

function tokenize(text: string): string[] {
  const out: string[] = []
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '')
    const re = /"[^"]*"|[{};]|[^\s{};"]+/g
    for (const m of line.matchAll(re)) out.push(m[0])
    out.push('\n')
  }
  return out
}

/** Interface names a rule matches with `iifname`/`oifname` (or iif/oif): a single name or an anonymous set. */
export function ruleInterfaces(rule: string, which: 'in' | 'out'): string[] | undefined {
  const key = which === 'in' ? '(?:meta\\s+)?(?:iifname|iif)' : '(?:meta\\s+)?(?:oifname|oif)'
  const m = new RegExp(`(?:^|\\s)${key}\\s+(\\{[^}]*\\}|"[^"]*"|\\S+)`).exec(rule)
  if (!m) return undefined
  return m[1].replace(/^\{|\}$/g, '').split(',').map((s) => s.trim().replace(/^"|"$/g, '')).filter(Boolean)
}

/** Whether an nft interface pattern (`"vrrp*"` wildcard allowed) covers a name. */
export function ifaceCovers(patterns: string[], name: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : p === name))
}
