// The documentation as a newcomer meets it: a README of at most 12 KB from which every docs/*.md is reachable,
// and no relative link (file or #anchor) in README.md or docs/ that leads nowhere.
import assert from 'node:assert/strict'
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, normalize, relative} from 'node:path'
import {describe, it} from 'node:test'

const ROOT = new URL('../..', import.meta.url).pathname
const DOCS = join(ROOT, 'docs')
const pages = ['README.md', ...readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>()
  const seen = new Map<string, number>()
  let fence = false
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fence = !fence
    const m = !fence && /^#{1,6} (.*)$/.exec(line)
    if (!m) continue
    const base = m[1].replace(/`/g, '').toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-')
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    out.add(n === 0 ? base : `${base}-${n}`)
  }
  return out
}

/** Relative links of a page, code spans and fences left out. */
function links(markdown: string): string[] {
  const text = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '')
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/i.test(l))
}

describe('documentation', () => {
  it('the README is at most 12 KB', () => {
    const size = statSync(join(ROOT, 'README.md')).size
    assert.ok(size <= 12 * 1024, `README.md is ${size} bytes`)
  })

  it('every relative link leads to a file, and every #anchor to a heading in it', () => {
    const broken: string[] = []
    for (const page of pages) {
      for (const link of links(readFileSync(join(ROOT, page), 'utf8'))) {
        const [path, anchor] = link.split('#')
        const target = path === '' ? join(ROOT, page) : normalize(join(ROOT, dirname(page), path))
        if (!existsSync(target)) { broken.push(`${page}: ${link} (no such file)`); continue }
        if (anchor && target.endsWith('.md') && !anchors(readFileSync(target, 'utf8')).has(anchor)) broken.push(`${page}: ${link} (no such heading)`)
      }
    }
    assert.deepEqual(broken, [])
  })

  it('every page in docs/ is reachable from the README', () => {
    const reached = new Set(['README.md'])
    const queue = ['README.md']
    while (queue.length) {
      const page = queue.shift()!
      for (const link of links(readFileSync(join(ROOT, page), 'utf8'))) {
        const path = link.split('#')[0]
        if (!path.endsWith('.md')) continue
        const target = relative(ROOT, normalize(join(ROOT, dirname(page), path)))
        if (!reached.has(target) && existsSync(join(ROOT, target))) { reached.add(target); queue.push(target) }
      }
    }
    assert.deepEqual(pages.filter((p) => !reached.has(p)), [])
  })
})
