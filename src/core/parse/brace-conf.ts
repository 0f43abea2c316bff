/**
 * The block syntax keepalived.conf and conntrackd.conf share: `keyword args... { children }`,
 * one statement per line, `#` (and keepalived's `!`) comments, double-quoted strings.
 * Tolerant by design: doctor reads configs that may be broken, and reports what it finds.
 */
export type ConfNode = {key: string; args: string[]; children: ConfNode[]; line: number}

export function parseBraceConf(text: string, opts: {bang?: boolean} = {}): ConfNode[] {
  const root: ConfNode = {key: '', args: [], children: [], line: 0}
  const stack: ConfNode[] = [root]
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    for (const stmt of splitLine(lines[i], opts.bang ?? true)) {
      if (stmt.length === 1 && stmt[0] === CLOSE) {
        if (stack.length > 1) stack.pop()
        continue
      }
      const opens = stmt[stmt.length - 1] === '{'
      const words = opens ? stmt.slice(0, -1) : stmt
      const parent = stack[stack.length - 1]
      if (words.length === 0) {
        // A lone `{` on its own line opens a block for the previous statement.
        if (opens && parent.children.length > 0) stack.push(parent.children[parent.children.length - 1])
        continue
      }
      const node: ConfNode = {key: words[0], args: words.slice(1), children: [], line: i + 1}
      parent.children.push(node)
      if (opens) stack.push(node)
    }
  }
  return root.children
}

// Braces always end a token, so a lone "}" statement can only be a closing brace.
const CLOSE = '}'

/** Tokens of one line, split into statements at braces: `a b { c }` -> [a b {] [c] [}]. */
function splitLine(line: string, bang: boolean): string[][] {
  const out: string[][] = []
  let cur: string[] = []
  let i = 0
  while (i < line.length) {
    const c = line[i]
    if (c === '#' || (bang && c === '!')) break
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue }
    if (c === '{') { cur.push('{'); out.push(cur); cur = []; i++; continue }
    if (c === '}') { if (cur.length > 0) out.push(cur); out.push([CLOSE]); cur = []; i++; continue }
    if (c === '"') {
      const end = line.indexOf('"', i + 1)
      const stop = end === -1 ? line.length : end
      cur.push(line.slice(i + 1, stop))
      i = stop + 1
      continue
    }
    let j = i
    while (j < line.length && !' \t\r{}"'.includes(line[j]) && line[j] !== '#' && !(bang && line[j] === '!')) j++
    cur.push(line.slice(i, j))
    i = j
  }
  if (cur.length > 0) out.push(cur)
  return out
}

/** Every node, depth first. */
export function walkConf(nodes: ConfNode[]): ConfNode[] {
  return nodes.flatMap((n) => [n, ...walkConf(n.children)])
}

export function findAll(nodes: ConfNode[], key: string): ConfNode[] {
  const k = key.toLowerCase()
  return nodes.filter((n) => n.key.toLowerCase() === k)
}

export function findOne(nodes: ConfNode[], key: string): ConfNode | undefined {
  return findAll(nodes, key)[0]
}
