// One command shape (issue 13): every oclif class in src/commands is a shim over a CommandSpec in
// src/cli/commands, and bin/fast-path.json (read by bin/run.js and the build) names only commands
// that have one. A command written the old way, or a fast-path entry without a spec, fails here.
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, it} from 'node:test'
import type {AnyCommandSpec} from '../../src/cli/command.js'

const ROOT = new URL('../..', import.meta.url).pathname
const walk = (dir: string): string[] => readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
const camel = (id: string) => id.split(/[ -]/).map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('')

async function spec(id: string): Promise<AnyCommandSpec> {
  const mod = await import(join(ROOT, 'src/cli/commands', `${id.replaceAll(' ', '-')}.ts`)) as Record<string, AnyCommandSpec>
  return mod[`${camel(id)}Command`]
}

describe('one command shape', () => {
  const shims = walk(join(ROOT, 'src/commands'))
  it('every oclif command is a shim: statics from oclifShape(spec), run() is this.execute(spec)', async () => {
    assert.ok(shims.length >= 16, `${shims.length} commands`)
    for (const file of shims) {
      const id = relative(join(ROOT, 'src/commands'), file).replace(/\.ts$/, '').replaceAll('/', ' ')
      const text = readFileSync(file, 'utf8')
      const name = `${camel(id)}Command`
      assert.match(text, new RegExp(`oclifShape\\(${name}\\)`), `${id}: flags/args from its spec`)
      assert.match(text, new RegExp(`return this\\.execute\\(${name}\\)`), `${id}: run() executes its spec`)
      const s = await spec(id)
      assert.equal(typeof s?.run, 'function', `${id}: src/cli/commands exports ${name} with run()`)
      assert.equal(typeof s.render, 'function', `${id}: and a renderer`)
    }
  })
  it('bin/fast-path.json names commands that exist, each with a spec and a bundle name', async () => {
    const {commands} = JSON.parse(readFileSync(join(ROOT, 'bin/fast-path.json'), 'utf8')) as {commands: Record<string, string>}
    assert.ok(Object.keys(commands).length > 0)
    for (const [id, bundle] of Object.entries(commands)) {
      assert.match(bundle, /^[a-z][a-z0-9-]*$/, id)
      assert.ok(shims.some((f) => f.endsWith(`/${id.replaceAll(' ', '/')}.ts`)), `${id}: an oclif shim for its --help`)
      assert.equal(typeof (await spec(id))?.run, 'function', id)
    }
  })
})
