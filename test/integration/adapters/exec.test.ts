// The exec adapter against real programs: no shell, stdin closed, a timeout that kills,
// a missing program is "unavailable" (69), a non-zero exit is a result, not an exception.
import assert from 'node:assert/strict'
import {chmodSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {assertOk, createExec} from '../../../src/adapters/exec.js'
import type {Logger} from '../../../src/adapters/log.js'
import {HaError} from '../../../src/core/errors.js'
import {ExitCode} from '../../../src/core/exit-codes.js'
import {withTempDir} from '../../support/spawn.js'

const exec = createExec()

/** A Logger that records what it is given (the exec adapter logs argv at debug). */
function recordingLogger(): Logger & {records: Array<{level: string; fields: unknown; msg?: string}>} {
  const records: Array<{level: string; fields: unknown; msg?: string}> = []
  const at = (level: string) => (fields: unknown, msg?: string) => { records.push({level, fields, msg}) }
  const log = {
    level: 'debug' as const,
    isEnabled: () => true,
    trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'),
    child: () => log,
    records,
  }
  return log
}

describe('createExec', () => {
  test('a non-zero exit resolves with code, stdout and stderr', async () => {
    const r = await exec(['sh', '-c', 'echo out; echo err >&2; exit 3'])
    assert.equal(r.code, 3)
    assert.equal(r.signal, null)
    assert.equal(r.stdout, 'out\n')
    assert.equal(r.stderr, 'err\n')
    assert.equal(r.timedOut, false)
    assert.deepEqual(r.argv, ['sh', '-c', 'echo out; echo err >&2; exit 3'])
  })

  test('no shell: metacharacters reach the program as they are', async () => {
    const r = await exec(['printf', '%s|', '$(id -u)', '; echo hi', '*', '"q"'])
    assert.equal(r.code, 0)
    assert.equal(r.stdout, '$(id -u)|; echo hi|*|"q"|')
  })

  test('stdin is closed: a program reading it sees EOF at once', async () => {
    const r = await exec(['cat'], {timeoutMs: 5000})
    assert.equal(r.timedOut, false, 'cat waited for input: stdin was left open')
    assert.equal(r.code, 0)
    assert.equal(r.stdout, '')
    assert.ok(r.durationMs < 2000)
  })

  test('input is written to stdin, then closed', async () => {
    const r = await exec(['cat'], {input: 'line 1\nline 2\n', timeoutMs: 5000})
    assert.equal(r.stdout, 'line 1\nline 2\n')
  })

  test('env replaces the environment when given', async () => {
    const r = await exec(['sh', '-c', 'echo "$HAT_H2_X"'], {env: {PATH: process.env.PATH, HAT_H2_X: 'set'}})
    assert.equal(r.stdout, 'set\n')
  })

  test('the timeout kills (SIGTERM) and says so', async () => {
    const r = await exec(['sleep', '30'], {timeoutMs: 200})
    assert.equal(r.timedOut, true)
    assert.equal(r.signal, 'SIGTERM')
    assert.equal(r.code, null)
    assert.ok(r.durationMs >= 190 && r.durationMs < 2000, `took ${r.durationMs} ms`)
  })

  test('a program that ignores SIGTERM gets SIGKILL a second later', async () => {
    const r = await exec([process.execPath, '-e', "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)"], {timeoutMs: 400})
    assert.equal(r.timedOut, true)
    assert.equal(r.signal, 'SIGKILL')
    assert.ok(r.durationMs >= 1300 && r.durationMs < 4000, `took ${r.durationMs} ms`)
  })

  test('killSignal chooses the first signal', async () => {
    const r = await exec(['sleep', '30'], {timeoutMs: 100, killSignal: 'SIGINT'})
    assert.equal(r.signal, 'SIGINT')
  })

  test('the timeout also ends a program whose child keeps the output pipe open', async () => {
    const r = await exec(['sh', '-c', 'sleep 3; :'], {timeoutMs: 200})
    assert.equal(r.timedOut, true)
    assert.ok(r.durationMs < 2000, `took ${r.durationMs} ms for a 200 ms timeout`)
  })

  test('a missing program rejects with HaError 69 naming it', async () => {
    await assert.rejects(exec(['hat-h2-no-such-program', '--x']), (e: unknown) => {
      assert.ok(e instanceof HaError)
      assert.equal(e.exit, ExitCode.UNAVAILABLE)
      assert.equal(e.exit, 69)
      assert.equal(e.kind, 'missing-program')
      assert.match(e.message, /^hat-h2-no-such-program: not installed or not on PATH$/)
      return true
    })
    await assert.rejects(exec(['/nonexistent/dir/prog']), (e: unknown) => e instanceof HaError && e.exit === 69)
  })

  test('a program that is not executable rejects with HaError 69', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'not-exec')
      writeFileSync(file, '#!/bin/sh\necho hi\n')
      chmodSync(file, 0o644)
      await assert.rejects(exec([file]), (e: unknown) => e instanceof HaError && e.exit === 69 && e.message === `${file}: permission denied`)
    })
  })

  test('argv is logged at debug, before and after', async () => {
    const log = recordingLogger()
    await createExec(log)(['true', 'a b'])
    const debug = log.records.filter((r) => r.level === 'debug')
    assert.deepEqual(debug.map((r) => r.msg), ['exec', 'exec done'])
    assert.deepEqual((debug[0].fields as {argv: string[]}).argv, ['true', 'a b'])
    assert.equal((debug[1].fields as {code: number}).code, 0)
    assert.deepEqual(log.records.filter((r) => r.level !== 'debug'), [])
  })
})

describe('assertOk', () => {
  test('passes a clean exit through', async () => {
    const r = await exec(['true'])
    assert.equal(assertOk(r), r)
  })

  test('a failure throws HaError 1 with the command, the status and the last stderr line', async () => {
    const r = await exec(['sh', '-c', 'echo first >&2; echo "last words" >&2; exit 4'])
    assert.throws(() => assertOk(r, 'ip rule add'), (e: unknown) => e instanceof HaError && e.exit === 1 && e.message === 'ip rule add: exit 4: last words')
    const t = await exec(['sleep', '5'], {timeoutMs: 100})
    assert.throws(() => assertOk(t), (e: unknown) => e instanceof HaError && e.message === 'sleep 5: timed out')
  })
})
