// Words for and from a POSIX shell: the peer's forced command line, the generated dnsmasq wrapper.

/** One word for a POSIX shell, single-quoted unless plainly safe. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
}

/** POSIX-shell words of a command line built by shellQuote (single quotes, '\'' and plain words); undefined on shell syntax. */
export function shellWords(line: string): string[] | undefined {
  const words: string[] = []
  let cur: string | undefined
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (ch === ' ' || ch === '\t') {
      if (cur !== undefined) words.push(cur)
      cur = undefined
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1)
      if (end < 0) return undefined
      cur = (cur ?? '') + line.slice(i + 1, end)
      i = end
    } else if (ch === '\\' && i + 1 < line.length) {
      cur = (cur ?? '') + line[++i]
    } else if (/[;&|<>()$`"*?[\]{}~#!\n\r]/.test(ch)) {
      return undefined
    } else {
      cur = (cur ?? '') + ch
    }
  }
  if (cur !== undefined) words.push(cur)
  return words
}
