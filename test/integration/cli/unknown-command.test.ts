import assert from 'node:assert/strict'
import {test} from 'node:test'
import {ensureBuilt, runCli} from '../../support/spawn.js'

test('an unknown command is a usage error (exit 2), in text and in --json', async () => {
  ensureBuilt()
  const text = await runCli(['promote'])
  assert.equal(text.code, 2)
  assert.equal(text.stdout, '')
  assert.match(text.stderr, /^ha-tool: unknown command "promote" \(`ha-tool --help` lists the commands\)\n$/)
  const json = await runCli(['config', 'frobnicate', '--json'])
  assert.equal(json.code, 2)
  assert.deepEqual(JSON.parse(json.stdout), {error: {message: 'unknown command "config frobnicate"', kind: 'usage', exit: 2, hint: '`ha-tool --help` lists the commands'}})
})
