/**
 * Finds the line a key path was written on, so errors can say `file:LINE: key: ...`.
 * A light scan of TOML: table headers `[a.b]` and `key =` / `a.b =` assignments.
 * Returns 0 when the key is not written in the file (a missing required key).
 */
export function locateKey(source: string, path: readonly string[]): number {
  const lines = source.split('\n')
  let table: string[] = []
  const want = path.join('.')
  let tableLine = 0
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim()
    if (line === '' || line.startsWith('#')) continue
    const header = /^\[\s*([^\]]+?)\s*\]/.exec(line)
    if (header) {
      table = header[1].split('.').map((p) => unquote(p.trim()))
      if (table.join('.') === want) tableLine = i + 1
      continue
    }
    const assign = /^((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=/.exec(line)
    if (!assign) continue
    const key = [...table, ...assign[1].split('.').map((p) => unquote(p.trim()))].join('.')
    if (key === want) return i + 1
  }
  return tableLine
}

function unquote(s: string): string {
  return (s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'")) ? s.slice(1, -1) : s
}
