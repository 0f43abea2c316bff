// conntrackd.conf as ha-tool reads it: mode, external cache, socket, lock and log file.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, test} from 'node:test'
import {ConntrackdConfSyntaxError, DEFAULT_LOCK_FILE, DEFAULT_LOG_FILE, flushBlockedAfterCommit, parseConntrackdConf} from '../../../src/core/conntrack/config.js'

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8')

const general = 'General {\n UNIX {\n  Path /run/ct.sock\n }\n}\n'
const sync = (mode: string, body = '') => `Sync {\n Mode ${mode} {\n${body}\n }\n UDP {\n  Interface eth9\n }\n}\n${general}`

describe('parseConntrackdConf', () => {
  test('a full FTFW-over-UDP file: mode, external cache, socket, log, lock, purge, channel, expectations', () => {
    const {conf, problems} = parseConntrackdConf(fixture('ftfw-udp.conf'))
    assert.deepEqual(problems, [])
    assert.equal(conf.kind, 'sync')
    assert.equal(conf.mode, 'FTFW')
    assert.equal(conf.modeDefaulted, false)
    assert.equal(conf.externalCache, true)
    assert.equal(conf.internalCache, true)
    assert.equal(conf.socketPath, '/var/run/conntrackd.ctl')
    assert.equal(conf.lockFile, '/var/lock/conntrack.lock')
    assert.equal(conf.logFile, '/var/log/conntrackd-gw1.log')
    assert.equal(conf.syslog, false)
    assert.equal(conf.purgeTimeout, 5)
    assert.equal(conf.commitTimeout, 1800)
    assert.equal(conf.startupResync, true)
    assert.equal(conf.expectationSync, true)
    assert.deepEqual(conf.channels, [{transport: 'UDP', interface: 'ens8', address: '192.168.190.1', peer: '192.168.190.2'}])
  })

  test('DisableExternalCache: on/yes (any case) disable the external cache, off/no keep it', () => {
    for (const [v, external] of [['on', false], ['Yes', false], ['ON', false], ['Off', true], ['no', true]] as const) {
      assert.equal(parseConntrackdConf(sync('FTFW', `DisableExternalCache ${v}`)).conf.externalCache, external, v)
    }
    assert.equal(parseConntrackdConf(sync('NOTRACK', 'DisableExternalCache on\nDisableInternalCache on')).conf.internalCache, false)
  })

  test('mode names are case-insensitive, with the old aliases; Sync without Mode is FTFW (defaulted)', () => {
    assert.equal(parseConntrackdConf(sync('notrack')).conf.mode, 'NOTRACK')
    assert.equal(parseConntrackdConf(sync('Alarm')).conf.mode, 'ALARM')
    assert.equal(parseConntrackdConf(sync('persistent')).conf.mode, 'ALARM')
    assert.equal(parseConntrackdConf(sync('nack')).conf.mode, 'FTFW')
    const {conf} = parseConntrackdConf(`Sync {\n UDP {\n Interface e\n }\n}\n${general}`)
    assert.equal(conf.mode, 'FTFW')
    assert.equal(conf.modeDefaulted, true)
  })

  test('without a Sync section it is statistics mode, with defaults for purge, lock and log', () => {
    const {conf} = parseConntrackdConf(`General {\n LogFile on\n UNIX { Path /x }\n}\nStats {\n LogFile on\n}\n`)
    assert.equal(conf.kind, 'stats')
    assert.equal(conf.mode, undefined)
    assert.equal(conf.purgeTimeout, 60)
    assert.equal(conf.lockFile, DEFAULT_LOCK_FILE)
    assert.equal(conf.logFile, DEFAULT_LOG_FILE)
    assert.equal(conf.socketPath, '/x')
  })

  test('LogFile off and no LogFile mean no file to read; PurgeTimeout directly in Sync counts too', () => {
    assert.equal(parseConntrackdConf(`General {\n LogFile off\n}\n`).conf.logFile, undefined)
    assert.equal(parseConntrackdConf(sync('FTFW')).conf.logFile, undefined)
    assert.equal(parseConntrackdConf(`Sync {\n PurgeTimeout 17\n Mode FTFW {\n }\n}\n`).conf.purgeTimeout, 17)
  })

  test('comments and keywords inside comments are ignored; keywords are case-sensitive like conntrackd\'s lexer', () => {
    const {conf} = parseConntrackdConf(sync('FTFW', '# DisableExternalCache on\n disableexternalcache on'))
    assert.equal(conf.externalCache, true)
  })

  test('settings conntrackd refuses or ignores are reported with their line', () => {
    const text = sync('ALARM', 'DisableExternalCache on')
    const {problems} = parseConntrackdConf(text)
    assert.deepEqual(problems, [{line: 3, message: 'DisableExternalCache is not valid in Mode ALARM (conntrackd refuses this file)'}])
    const p2 = parseConntrackdConf(sync('FTFW', 'DisableExternalCache on\nCommitTimeout 10')).problems.map((p) => p.message)
    assert.deepEqual(p2, ['CommitTimeout is ignored with DisableExternalCache on (conntrackd warns and drops it)'])
    const p3 = parseConntrackdConf('Sync {\n Mode FTFW {\n }\n}\n').problems.map((p) => p.message)
    assert.equal(p3.length, 2)
    assert.match(p3[0], /no UDP, Multicast or TCP block/)
    assert.match(p3[1], /no UNIX \{ Path/)
    assert.deepEqual(parseConntrackdConf(sync('FTFW', 'PurgeTimeout soon')).problems, [{line: 3, message: 'PurgeTimeout needs a number, found "soon"'}])
  })

  test('HashSize: read, default 65536; <= 8192 buckets is the conntrackd bug that blocks -f after a commit', () => {
    assert.equal(parseConntrackdConf(fixture('ftfw-udp.conf')).conf.hashSize, 32768)
    assert.equal(parseConntrackdConf(sync('FTFW')).conf.hashSize, 65536)
    assert.equal(flushBlockedAfterCommit(parseConntrackdConf(sync('FTFW')).conf), false)
    const small = parseConntrackdConf(`Sync {\n Mode FTFW {\n }\n UDP {\n Interface e\n }\n}\nGeneral {\n HashSize 8192\n UNIX { Path /s }\n}\n`)
    assert.equal(small.conf.hashSize, 8192)
    assert.equal(flushBlockedAfterCommit(small.conf), true)
    assert.deepEqual(small.problems.map((p) => p.message), ['HashSize 8192 <= 8192: after the first -c, conntrackd ignores every -f ("commit still in progress"); set HashSize 16384 or more'])
    assert.equal(flushBlockedAfterCommit(parseConntrackdConf('General {\n HashSize 16384\n}\n').conf), false)
  })

  test('broken block structure throws with the line', () => {
    assert.throws(() => parseConntrackdConf('Sync {\n Mode FTFW {\n}\n'), (e: unknown) => e instanceof ConntrackdConfSyntaxError && e.line === 1)
    assert.throws(() => parseConntrackdConf('General {\n}\n}\n'), (e: unknown) => e instanceof ConntrackdConfSyntaxError && e.line === 3)
  })

  test('blocks may open and close on one line', () => {
    const {conf} = parseConntrackdConf('General { UNIX { Path /tmp/s } LockFile /tmp/l }\nSync { Mode NOTRACK { DisableExternalCache on } TCP { Interface x } }')
    assert.equal(conf.socketPath, '/tmp/s')
    assert.equal(conf.lockFile, '/tmp/l')
    assert.equal(conf.mode, 'NOTRACK')
    assert.equal(conf.externalCache, false)
    assert.deepEqual(conf.channels, [{transport: 'TCP', interface: 'x'}])
  })
})
