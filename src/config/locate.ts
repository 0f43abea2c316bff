/**
 * Finds the line a key path was written on, so errors can say `file:LINE: key: ...`.
 * A light scan of TOML: table headers `[a.b]` / `[[a.b]]` and `key =` / `a."b.c" =` assignments.
 * When the path is only written as part of a longer or shorter one (`[foo.bar]` for `foo`,
 * `wan = {table = 1}` for `wan.table`), that line is returned.
 * Returns 0 when the key is not written in the file (a missing required key).
 */
export function locateKey(source: string, path: readonly string[]): number {
  const lines = source.split('\n')
  let table: string[] = []
  let tableLine = 0
  let nearLine = 0
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim()
    if (line === '' || line.startsWith('#')) continue
    const header = new RegExp(`^\\[\\[?\\s*(${KEY})\\s*\\]`).exec(line)
    if (header) {
      table = splitKey(header[1])
      if (same(table, path)) tableLine ||= i + 1
      else if (startsWith(table, path)) nearLine ||= i + 1
      continue
    }
    const assign = new RegExp(`^(${KEY})\\s*=`).exec(line)
    if (!assign) continue
    const key = [...table, ...splitKey(assign[1])]
    if (same(key, path)) return i + 1
    // An inline table holding the path, or a dotted key under it.
    if (startsWith(path, key) || startsWith(key, path)) nearLine ||= i + 1
  }
  return tableLine || nearLine
}

const PART = `(?:"(?:[^"\\\\]|\\\\.)*"|'[^']*'|[A-Za-z0-9_-]+)`
const KEY = `${PART}(?:\\s*\\.\\s*${PART})*`

/** `a . "b.c" . 'd'` -> [a, b.c, d]: dots inside quotes are part of the key. */
function splitKey(key: string): string[] {
  return [...key.matchAll(new RegExp(PART, 'g'))].map((m) => unquote(m[0]))
}

function unquote(s: string): string {
  if (s.startsWith("'")) return s.slice(1, -1)
  if (s.startsWith('"')) {
    try { return JSON.parse(s) as string } catch { return s.slice(1, -1) }
  }
  return s
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && startsWith(a, b)
const startsWith = (a: readonly string[], prefix: readonly string[]) => a.length >= prefix.length && prefix.every((p, i) => a[i] === p)
