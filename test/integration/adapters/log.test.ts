// The logger in fresh processes (so "is pino loaded?" has a clean answer): nothing below the level,
// not even the import; JSON lines on stderr, never stdout; or appended to log.file.
import assert from 'node:assert/strict'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {createLogger, silentLogger} from '../../../src/adapters/log.js'
import {ROOT, runTs, withTempDir} from '../../support/spawn.js'

const LOG_TS = JSON.stringify(`${ROOT}/src/adapters/log.ts`)
// True when pino's CommonJS entry is in the module cache (log.ts loads it with createRequire).
const PINO_LOADED = "Object.keys((await import('node:module')).createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/pino/'))"

type Line = Record<string, unknown> & {level: number; msg: string; pid: number; time: number; name: string}
const lines = (text: string): Line[] => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line)

describe('createLogger', () => {
  test('below the level: nothing written and pino never loaded', async () => {
    const r = await runTs(`
      import {createLogger} from ${LOG_TS}
      const log = createLogger({level: 'warn'})
      log.info('info'); log.debug({a: 1}, 'debug'); log.trace('trace'); log.child({x: 1}).info('child info')
      console.log(JSON.stringify({loaded: ${PINO_LOADED}, enabled: [log.isEnabled('info'), log.isEnabled('warn'), log.isEnabled('error')]}))`)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stderr, '')
    assert.deepEqual(JSON.parse(r.stdout), {loaded: false, enabled: [false, true, true]})
  })

  test('at the level: one JSON line on stderr, nothing on stdout, pino loaded then', async () => {
    const r = await runTs(`
      import {createLogger} from ${LOG_TS}
      const log = createLogger({level: 'warn'})
      const before = ${PINO_LOADED}
      log.warn({role: 'MASTER'}, 'transition slow')
      log.child({step: 'rule'}).error({code: 2}, 'step failed')
      log.info('dropped')
      // Synchronous: the lines are on stderr before this marker.
      console.error('--after--')
      process.exitCode = before ? 9 : ${PINO_LOADED} ? 0 : 8`)
    assert.notEqual(r.code, 9, `pino was loaded before the first enabled log line: ${r.stderr}`)
    assert.notEqual(r.code, 8, 'pino is not in the module cache after logging: the "not loaded" check above would prove nothing')
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, '')
    const [logs, after] = r.stderr.split('--after--')
    assert.equal(after, '\n')
    const [warn, error, ...rest] = lines(logs)
    assert.equal(rest.length, 0)
    assert.equal(warn.level, 40)
    assert.equal(warn.msg, 'transition slow')
    assert.equal(warn.role, 'MASTER')
    assert.equal(warn.name, 'ha-tool')
    assert.equal(typeof warn.pid, 'number')
    assert.equal(typeof warn.time, 'number')
    assert.equal(error.level, 50)
    assert.equal(error.step, 'rule')
    assert.equal(error.code, 2)
  })

  test('silent: nothing at any level, pino never loaded', async () => {
    const r = await runTs(`
      import {createLogger, silentLogger} from ${LOG_TS}
      const log = createLogger({level: 'silent'})
      log.error('e'); log.warn('w'); silentLogger.error('e'); silentLogger.child({a: 1}).warn('w')
      console.log(JSON.stringify({loaded: ${PINO_LOADED}, enabled: log.isEnabled('fatal')}))`)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stderr, '')
    assert.deepEqual(JSON.parse(r.stdout), {loaded: false, enabled: false})
  })

  test('log.file: JSON lines appended to the file (directory created), nothing on stderr', async () => {
    await withTempDir(async (dir) => {
      const existing = join(dir, 'old.log')
      writeFileSync(existing, '{"old":true}\n')
      const fresh = join(dir, 'new/dir/ha-tool.log')
      const r = await runTs(`
        import {createLogger} from ${LOG_TS}
        const a = createLogger({level: 'info', file: ${JSON.stringify(existing)}})
        a.info({n: 1}, 'one'); a.debug('dropped'); a.warn({n: 2}, 'two')
        createLogger({level: 'info', file: ${JSON.stringify(fresh)}}).info('created')`)
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stderr, '')
      assert.equal(r.stdout, '')
      const text = readFileSync(existing, 'utf8')
      assert.ok(text.startsWith('{"old":true}\n'), 'appended, not truncated')
      const [old, one, two, ...rest] = lines(text)
      assert.deepEqual(old, {old: true})
      assert.deepEqual([one.msg, one.n, one.level], ['one', 1, 30])
      assert.deepEqual([two.msg, two.n, two.level], ['two', 2, 40])
      assert.equal(rest.length, 0)
      assert.ok(existsSync(fresh))
      assert.equal(lines(readFileSync(fresh, 'utf8'))[0].msg, 'created')
    })
  })

  test('log.file is not created when nothing reaches the level', async () => {
    await withTempDir(async (dir) => {
      mkdirSync(join(dir, 'd'))
      const file = join(dir, 'd/ha-tool.log')
      const r = await runTs(`
        import {createLogger} from ${LOG_TS}
        createLogger({level: 'error', file: ${JSON.stringify(file)}}).info('dropped')`)
      assert.equal(r.code, 0, r.stderr)
      assert.equal(existsSync(file), false)
    })
  })
})

describe('isEnabled', () => {
  test('follows the level order trace < debug < info < warn < error < fatal', () => {
    const order = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const
    for (const [i, level] of order.entries()) {
      const log = createLogger({level})
      assert.equal(log.level, level)
      for (const [j, other] of order.entries()) assert.equal(log.isEnabled(other), j >= i, `${level} logger, ${other}`)
    }
    for (const other of order) assert.equal(silentLogger.isEnabled(other), false)
  })
})
