import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {resolveCheckSettings} from '../../../src/app/health-settings.js'
import {defaultConfig} from '../../../src/config/validate.js'
import type {HaError} from '../../../src/core/errors.js'

const config = (health: Record<string, unknown> = {}, wan = 'ens7') => { const c = defaultConfig(wan); c.health = {...c.health, ...health}; return c }
const fails = (fn: () => unknown, exit: number, message: RegExp) => assert.throws(fn, (e: HaError) => {
  assert.equal(e.exit, exit)
  assert.match(e.message, message)
  return true
})

describe('resolveCheckSettings: flags over config, errors blame the right one', () => {
  test('flags win over the config', () => {
    const s = resolveCheckSettings({target: ['192.0.2.9'], 'min-ok': 1, timeout: 300, via: 'main'}, config({targets: ['192.0.2.1', '192.0.2.2'], min_ok: 2}), '/etc/ha-tool/config.toml')
    assert.deepEqual(s.targets.map((t) => t.text), ['192.0.2.9'])
    assert.equal(s.minOk, 1)
    assert.equal(s.timeoutMs, 300)
    assert.equal(s.probeTimeoutMs, 300)
    assert.equal(s.via, 'main')
  })

  test('a bad flag is a usage error (2) naming the flag', () => {
    fails(() => resolveCheckSettings({target: ['x://y']}, config(), undefined), 2, /^--target "x:\/\/y": unknown probe type "x"/)
    fails(() => resolveCheckSettings({target: ['192.0.2.1'], 'min-ok': 2}, config(), undefined), 2, /^--min-ok: min_ok 2 exceeds the 1 target/)
    fails(() => resolveCheckSettings({target: ['192.0.2.1'], timeout: 1500}, config(), undefined), 2, /^--timeout: timeout 1500 ms is not shorter than the interval 1000 ms/)
    fails(() => resolveCheckSettings({target: ['192.0.2.1'], 'http-status': '2xx'}, config(), undefined), 2, /^--http-status: expected an HTTP status range/)
    fails(() => resolveCheckSettings({target: ['192.0.2.1'], via: 'wan'}, config({}, ''), undefined), 2, /^--via: via wan needs wan.interface/)
    fails(() => resolveCheckSettings({}, config(), undefined), 2, /^no targets: pass --target/)
  })

  test('a bad config value is a config error (78) naming file and key', () => {
    fails(() => resolveCheckSettings({}, config({targets: ['192.0.2.1'], min_ok: 3}), '/c.toml'), 78, /^\/c\.toml: health\.min_ok: min_ok 3 exceeds the 1 target/)
    fails(() => resolveCheckSettings({}, config({targets: ['192.0.2.1'], timeout_ms: 2000, interval_ms: 1000}), '/c.toml'), 78, /^\/c\.toml: health\.timeout_ms: timeout 2000 ms/)
  })

  test('probe_timeout_ms 0 means the overall timeout; a larger one is capped by it', () => {
    assert.equal(resolveCheckSettings({target: ['192.0.2.1']}, config({probe_timeout_ms: 0, timeout_ms: 700}), undefined).probeTimeoutMs, 700)
    assert.equal(resolveCheckSettings({target: ['192.0.2.1']}, config({probe_timeout_ms: 900, timeout_ms: 700}), undefined).probeTimeoutMs, 700)
    assert.equal(resolveCheckSettings({target: ['192.0.2.1'], 'probe-timeout': 100}, config(), undefined).probeTimeoutMs, 100)
  })
})
