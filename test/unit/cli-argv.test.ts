import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {splitArgv} from '../../src/cli/argv.js'
import type {FlagSpecs} from '../../src/cli/flag-spec.js'

const SPECS: FlagSpecs = {
  config: {type: 'string', description: ''},
  json: {type: 'boolean', description: ''},
  target: {type: 'string', char: 't', multiple: true, description: ''},
  timeout: {type: 'integer', description: ''},
}

describe('splitArgv (the hot path\'s flag parser)', () => {
  it('takes flags before, between and after positionals, in every form', () => {
    assert.deepEqual(splitArgv(SPECS, ['--config', '/c.toml', 'INSTANCE', 'VI_1', '--json', 'MASTER', '100', '--timeout=800']), {
      values: {config: '/c.toml', json: true, timeout: '800'},
      positionals: ['INSTANCE', 'VI_1', 'MASTER', '100'],
    })
  })
  it('collects a repeatable flag, long and short', () => {
    assert.deepEqual(splitArgv(SPECS, ['-t', 'a', '--target', 'b', '--target=c']), {values: {target: ['a', 'b', 'c']}, positionals: []})
  })
  it('treats everything after -- as positional', () => {
    assert.deepEqual(splitArgv(SPECS, ['--json', '--', '--config', '-x']), {values: {json: true}, positionals: ['--config', '-x']})
  })
  for (const [argv, error] of [
    [['--bogus'], 'unknown flag --bogus'],
    [['--bogus=1'], 'unknown flag --bogus'],
    [['-x'], 'unknown flag -x'],
    [['-tx'], 'unknown flag -tx'],
    [['--config'], '--config needs a value'],
    [['--json=yes'], '--json takes no value'],
  ] as Array<[string[], string]>) {
    it(`refuses ${argv.join(' ')}`, () => assert.deepEqual(splitArgv(SPECS, argv), {error}))
  }
})
