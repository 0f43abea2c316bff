// The exit-code table and the error -> exit code / --json mapping every command shares.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {configError, errorJson, errorLine, exitOf, HaError, unavailableError, usageError} from '../../../src/core/errors.js'
import {EXIT_CODE_MEANINGS, ExitCode, exitCodeHelp} from '../../../src/core/exit-codes.js'

describe('the exit-code table', () => {
  test('has the numbers DESIGN.md section 2 fixes', () => {
    assert.deepEqual({...ExitCode}, {OK: 0, FAILED: 1, USAGE: 2, PARTIAL: 3, UNAVAILABLE: 69, TEMPFAIL: 75, CONFIG: 78})
  })

  test('every code has one meaning, and --help lists them all', () => {
    const codes = EXIT_CODE_MEANINGS.map(([c]) => c)
    assert.deepEqual([...codes].sort((a, b) => a - b), Object.values(ExitCode).sort((a, b) => a - b))
    const help = exitCodeHelp().split('\n')
    assert.equal(help.length, codes.length)
    for (const [code, text] of EXIT_CODE_MEANINGS) assert.ok(help.includes(`  ${String(code).padStart(2)}  ${text}`), `exit ${code} in help`)
  })
})

describe('HaError and the --json error shape', () => {
  test('each constructor maps to its exit code and kind', () => {
    const cases: Array<[HaError, number, string]> = [
      [usageError('u'), 2, 'usage'],
      [configError('c'), 78, 'config'],
      [unavailableError('n'), 69, 'unavailable'],
      [new HaError('busy', ExitCode.TEMPFAIL), 75, 'busy'],
      [new HaError('partial', ExitCode.PARTIAL), 3, 'partial'],
      [new HaError('plain'), 1, 'failed'],
      [new HaError('k', ExitCode.UNAVAILABLE, {kind: 'missing-program'}), 69, 'missing-program'],
    ]
    for (const [err, exit, kind] of cases) {
      assert.equal(err.exit, exit, err.message)
      assert.equal(exitOf(err), exit, err.message)
      assert.equal(err.kind, kind, err.message)
      assert.deepEqual(errorJson(err), {error: {message: err.message, kind, exit}})
    }
  })

  test('anything that is not a HaError is exit 1, kind failed', () => {
    assert.equal(exitOf(new Error('x')), 1)
    assert.equal(exitOf('x'), 1)
    assert.deepEqual(errorJson(new TypeError('bad')), {error: {message: 'bad', kind: 'failed', exit: 1}})
    assert.deepEqual(errorJson('text'), {error: {message: 'text', kind: 'failed', exit: 1}})
  })

  test('the hint goes in the text line and its own JSON field', () => {
    const err = configError('/etc/x.toml: no such config file', 'pass --config')
    assert.equal(errorLine(err), '/etc/x.toml: no such config file (pass --config)')
    assert.deepEqual(errorJson(err), {error: {message: '/etc/x.toml: no such config file', kind: 'config', exit: 78, hint: 'pass --config'}})
    assert.equal(errorLine(new Error('e')), 'e')
    assert.equal(errorLine(42), '42')
  })

  test('the cause is kept for logs', () => {
    const cause = new Error('ENOENT')
    assert.equal(new HaError('x', 1, {cause}).cause, cause)
  })
})
