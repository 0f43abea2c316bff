// What users read (every command's --help, every `config example`, the config docs) must not send them to
// files they do not have: the design notes, the research notes, the test tree or source paths.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {buildExample, EXAMPLE_KINDS} from '../../src/app/config-example.js'
import {SCHEMA} from '../../src/config/schema.js'
import {defaultConfig} from '../../src/config/validate.js'

const ROOT = new URL('../..', import.meta.url).pathname
const FORBIDDEN = /DESIGN\.md|lab-findings|research notes|\bsrc\/(core|app|adapters|cli)\/|\btest\/(unit|app|integration|e2e)\//

function offending(where: string, text: string): string[] {
  return text.split('\n').filter((l) => FORBIDDEN.test(l)).map((l) => `${where}: ${l.trim()}`)
}

describe('user-facing text names no file users do not have', () => {
  it('the --help of every command (oclif.manifest.json)', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {summary?: string; description?: string; examples?: string[]; flags: Record<string, {description?: string}>}>}
    const bad = Object.entries(manifest.commands).flatMap(([id, c]) => [
      ...offending(`${id} summary`, c.summary ?? ''),
      ...offending(`${id} description`, c.description ?? ''),
      ...offending(`${id} examples`, (c.examples ?? []).join('\n')),
      ...Object.values(c.flags).flatMap((f) => offending(`${id} flag`, f.description ?? '')),
    ])
    assert.deepEqual(bad, [])
  })

  it('every config example, both keepalived modes', () => {
    const config = defaultConfig()
    const bad = EXAMPLE_KINDS.flatMap((k) => [...offending(k, buildExample(k, config, undefined, 'fifo')), ...offending(`${k} script`, buildExample(k, config, undefined, 'script'))])
    assert.deepEqual(bad, [])
  })

  it('every config key\'s documentation', () => {
    const bad = Object.entries(SCHEMA).flatMap(([s, keys]) => Object.entries(keys).flatMap(([k, spec]) => offending(`${s}.${k}`, spec.doc)))
    assert.deepEqual(bad, [])
  })
})
