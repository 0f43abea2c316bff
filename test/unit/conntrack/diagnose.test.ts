// One line and its fix for each way a conntrackd client call fails (conntrackd itself says only "can't connect").
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {type ConntrackdFailure, diagnoseFailure} from '../../../src/core/conntrack/diagnose.js'

// stderr exactly as the conntrackd 1.4.7 client prints it.
const CANT_CONNECT = "[Sat Nov 21 11:49:51 2026] (pid=8674) [warning] deprecated unix backlog configuration, ignoring.\n[Sat Nov 21 11:49:51 2026] (pid=8674) [ERROR] can't connect: is conntrackd running? appropriate permissions?\n"
const base: ConntrackdFailure = {command: 'conntrackd -C /etc/c.conf -c', code: 1, timedOut: false, timeoutMs: 1000, stderr: CANT_CONNECT, configPath: '/etc/c.conf', socketPath: '/run/ct.sock', daemonPids: []}

describe('diagnoseFailure', () => {
  test('socket missing and no daemon: not running, exit 69, how to start it', () => {
    const d = diagnoseFailure({...base, socket: 'missing'})
    assert.equal(d.kind, 'not-running')
    assert.equal(d.exit, 69)
    assert.equal(d.message, 'conntrackd -C /etc/c.conf -c: conntrackd is not running (no socket at /run/ct.sock)')
    assert.match(d.hint, /conntrackd -d -C \/etc\/c.conf/)
  })
  test('socket missing but a daemon runs: socket missing, restart with our config', () => {
    const d = diagnoseFailure({...base, socket: 'missing', daemonPids: [4242]})
    assert.equal(d.kind, 'socket-missing')
    assert.match(d.message, /runs \(pid 4242\) but its socket \/run\/ct.sock is missing/)
    assert.match(d.hint, /restart it with -C \/etc\/c.conf/)
  })
  test('refused: a stale socket of a dead daemon', () => {
    const d = diagnoseFailure({...base, socket: 'refused'})
    assert.equal(d.kind, 'not-running')
    assert.match(d.message, /stale socket/)
  })
  test('permission denied: run as root', () => {
    const d = diagnoseFailure({...base, socket: 'denied'})
    assert.equal(d.kind, 'permission-denied')
    assert.equal(d.exit, 69)
    assert.match(d.hint, /root/)
  })
  test('no UNIX Path in the config: a config error (78)', () => {
    const d = diagnoseFailure({...base, socketPath: undefined, socket: 'unconfigured'})
    assert.equal(d.exit, 78)
    assert.match(d.message, /no UNIX \{ Path/)
  })
  test('a timeout: exit 69 naming the limit and the key to raise', () => {
    const d = diagnoseFailure({...base, stderr: '', code: null, signal: 'SIGTERM', timedOut: true})
    assert.equal(d.kind, 'timeout')
    assert.equal(d.exit, 69)
    assert.equal(d.message, 'conntrackd -C /etc/c.conf -c: no answer from conntrackd within 1000 ms')
    assert.match(d.hint, /conntrackd.timeout_ms/)
  })
  test('config unreadable or rejected by conntrackd: 78 with its own words', () => {
    assert.equal(diagnoseFailure({...base, stderr: "[x] (pid=1) [ERROR] can't open config file `/etc/c.conf'\n"}).exit, 78)
    const d = diagnoseFailure({...base, stderr: "[Sat] (pid=15739) [ERROR] parsing config file in line (3), symbol 'DisableExternalCache': syntax error\n"})
    assert.equal(d.exit, 78)
    assert.match(d.message, /rejects \/etc\/c.conf: parsing config file in line \(3\), symbol 'DisableExternalCache': syntax error$/)
  })
  test('anything else: exit 1 with conntrackd\'s last line, without its date prefix', () => {
    const d = diagnoseFailure({...base, stderr: '[Sat] (pid=2) [ERROR] something odd\n'})
    assert.equal(d.exit, 1)
    assert.equal(d.message, 'conntrackd -C /etc/c.conf -c: exit 1: something odd')
  })
})
