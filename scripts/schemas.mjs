#!/usr/bin/env node
// Generates schemas/<command>.schema.json from the TypeScript result types in src/cli/json-contracts.ts:
// each command's --json output is its success type or the shared error shape (schemas/error.schema.json).
// With --check, fails (exit 1) when a committed schema differs from the generated one, or when a command in
// oclif.manifest.json has no contract. `npm run schemas` regenerates them after a result type changes.
import {mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {createGenerator} from 'ts-json-schema-generator'

const root = new URL('..', import.meta.url).pathname
const outDir = join(root, 'schemas')
const check = process.argv.includes('--check')
const BASE = 'https://ha-tool.invalid/schemas/'

const generator = createGenerator({
  path: join(root, 'src/cli/json-contracts.ts'),
  tsconfig: join(root, 'tsconfig.json'),
  type: '*',
  expose: 'export',
  topRef: true,
  jsDoc: 'extended',
  skipTypeCheck: true,
  additionalProperties: true,
  sortProps: true,
})
const all = generator.createSchema('*')
const defs = inlineGenerics(all.definitions)
const contracts = defs.JsonContracts
if (!contracts?.properties) throw new Error('src/cli/json-contracts.ts: JsonContracts not found')

/**
 * Instantiated generics get names from the generator such as `Section<structure-src_app_status.ts-1507-...>` (source
 * offsets, or random numbers for mapped types): inline them where they are used, so a file changes only when a shape does.
 */
function inlineGenerics(definitions) {
  const generic = (name) => name.includes('<')
  const resolve = (node, stack) => {
    if (Array.isArray(node)) return node.map((n) => resolve(n, stack))
    if (!node || typeof node !== 'object') return node
    if (typeof node.$ref === 'string') {
      const name = decodeURIComponent(node.$ref.replace('#/definitions/', ''))
      if (generic(name)) {
        if (stack.includes(name)) throw new Error(`recursive generic type ${name}: give it a name in src/cli/json-contracts.ts`)
        const {$ref: _ref, ...rest} = node
        return {...resolve(definitions[name], [...stack, name]), ...rest}
      }
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v, stack)]))
  }
  return Object.fromEntries(Object.entries(definitions).filter(([n]) => !generic(n)).map(([n, d]) => [n, resolve(d, [])]))
}

/** The definitions a schema refers to, transitively, so each file stands alone. */
function reachable(schema) {
  const seen = new Set()
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk)
    if (!node || typeof node !== 'object') return
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') {
        const name = decodeURIComponent(v.replace('#/definitions/', ''))
        if (!seen.has(name)) { seen.add(name); walk(defs[name]) }
      } else walk(v)
    }
  }
  walk(schema)
  return Object.fromEntries([...seen].sort().map((n) => [n, defs[n]]))
}

const fileOf = (id) => `${id.replaceAll(':', '-')}.schema.json`
const files = new Map()
const errorSchema = {$ref: '#/definitions/ErrorOutput'}
files.set('error.schema.json', {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: `${BASE}error.schema.json`,
  title: 'ha-tool --json error',
  description: 'What every command prints on stdout with --json when it fails: the exit code is the same as without --json.',
  ...errorSchema,
  definitions: reachable(errorSchema),
})
for (const id of Object.keys(contracts.properties).sort()) {
  const success = contracts.properties[id]
  const body = {anyOf: [success, errorSchema]}
  files.set(fileOf(id), {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `${BASE}${fileOf(id)}`,
    title: `ha-tool ${id.replaceAll(':', ' ')} --json`,
    description: 'The success result (first) or the error shape (second). Fields may be added within a major version, never renamed or removed.',
    ...body,
    definitions: reachable(body),
  })
}

// Every command oclif knows must have a contract, and every contract a command.
const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))
const commands = Object.keys(manifest.commands).sort()
const missing = commands.filter((c) => !(c in contracts.properties))
const extra = Object.keys(contracts.properties).filter((c) => !commands.includes(c))
if (missing.length || extra.length) {
  console.error(`src/cli/json-contracts.ts: ${missing.length ? `no contract for ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `no such command: ${extra.join(', ')}` : ''}`)
  process.exit(1)
}

const text = (s) => `${JSON.stringify(s, null, 2)}\n`
const existing = (() => { try { return readdirSync(outDir).filter((f) => f.endsWith('.schema.json')) } catch { return [] } })()
if (check) {
  const stale = [...files].filter(([f, s]) => { try { return readFileSync(join(outDir, f), 'utf8') !== text(s) } catch { return true } }).map(([f]) => f)
  const orphans = existing.filter((f) => !files.has(f))
  if (stale.length || orphans.length) {
    console.error(`schemas/ is stale (${[...stale, ...orphans.map((f) => `${f} (no such command)`)].join(', ')}): run npm run schemas and commit schemas/`)
    process.exit(1)
  }
  console.log(`schemas/ is up to date (${files.size} files)`)
} else {
  mkdirSync(outDir, {recursive: true})
  for (const f of existing) if (!files.has(f)) rmSync(join(outDir, f))
  for (const [f, s] of files) writeFileSync(join(outDir, f), text(s))
  console.log(`wrote ${files.size} schemas to schemas/`)
}
