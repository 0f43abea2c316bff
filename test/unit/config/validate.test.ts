// The validator and the line finder on their own: parsed data in, Config or HaError out (no files).
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {locateKey} from '../../../src/config/locate.js'
import {SCHEMA} from '../../../src/config/schema.js'
import {defaultConfig, findProblems, validateConfig} from '../../../src/config/validate.js'
import {HaError} from '../../../src/core/errors.js'

describe('validateConfig', () => {
  test('bigint values (a parser in integersAsBigInt mode) are checked and become numbers', () => {
    const config = validateConfig({wan: {interface: 'e', table: 4294967295n, rule_priority: 7n}}, '', 'F')
    assert.equal(config.wan.table, 4294967295)
    assert.equal(typeof config.wan.rule_priority, 'number')
    assert.equal(config.wan.rule_priority, 7)
    assert.throws(() => validateConfig({wan: {interface: 'e', table: 4294967296n}}, '', 'F'),
      (e: unknown) => e instanceof HaError && e.exit === 78 && e.message === 'F: wan.table: expected an integer 1..4294967295, got 4294967296')
    assert.throws(() => validateConfig({wan: {interface: 'e', table: 254n}}, '', 'F'),
      (e: unknown) => e instanceof HaError && /wan.table: expected a table other than 253..255/.test(e.message))
  })

  test('the result is plain data that survives JSON (config show --json)', () => {
    const config = validateConfig({wan: {interface: 'e', table: 9n}}, '', 'F')
    assert.deepEqual(JSON.parse(JSON.stringify(config)), config)
  })

  test('the first problem thrown is the first in the file', () => {
    const source = '[log]\nlevel = 1\n[wan]\ninterface = "e"\ntable = "x"\n'
    const data = {log: {level: 1}, wan: {interface: 'e', table: 'x'}}
    assert.throws(() => validateConfig(data, source, 'F'), (e: unknown) => e instanceof HaError && e.message.startsWith('F:2: log.level: '))
    assert.deepEqual(findProblems(data, source, 'F').map((e) => e.message.split(':').slice(0, 3).join(':')), ['F:2: log.level', 'F:5: wan.table'])
  })

  test('cross-key: the VIP must lie in lan.address\'s subnet; with dnsmasq on, the subnet must hold a DHCP range', () => {
    const problems = (lan: Record<string, unknown>, dnsmasq: Record<string, unknown> = {enabled: true}) => {
      const source = `[lan]\n${Object.entries(lan).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join('\n')}\n`
      return findProblems({wan: {interface: 'e'}, lan, dnsmasq}, source, 'F').map((e) => e.message)
    }
    assert.deepEqual(problems({address: '192.168.1.1/24'}), [])
    assert.deepEqual(problems({address: '192.168.1.1/25', vip: '192.168.1.3'}), [])
    assert.deepEqual(problems({address: '172.16.5.129/26', vip: '172.16.5.190'}), [])
    assert.deepEqual(problems({address: '10.20.0.1/22', vip: '10.20.0.3'}), [])
    assert.match(problems({address: '10.0.0.1/24'})[0], /^F: lan\.vip: the VIP 192\.168\.1\.3 is outside lan\.address's subnet/)
    const small = problems({address: '10.0.0.1/30', vip: '10.0.0.2'})
    assert.equal(small.length, 1)
    assert.match(small[0], /^F:2: lan\.address: .*10\.0\.0\.0\/30 subnet has no address left for a DHCP range/)
    // Without dnsmasq a /30 holding both nodes is fine as far as DHCP goes.
    assert.deepEqual(problems({address: '10.0.0.1/29', vip: '10.0.0.3'}, {enabled: false}), [])
  })

  test('paths keepalived opens or runs must be absolute', () => {
    const why = (data: Record<string, unknown>) => findProblems({wan: {interface: 'e'}, ...data}, '', 'F').map((e) => e.message)
    assert.match(why({state: {dir: 'run/x'}})[0], /state\.dir: must be an absolute path/)
    assert.match(why({keepalived: {fifo: 'notify.fifo'}})[0], /keepalived\.fifo: expected an absolute path/)
    assert.match(why({keepalived: {advert_int_ms: 105}})[0], /keepalived\.advert_int_ms: .*multiple of 10/)
    assert.match(why({keepalived: {priority: 255}})[0], /keepalived\.priority/)
    assert.match(why({keepalived: {vrrp_priority: -21}})[0], /keepalived\.vrrp_priority/)
    assert.match(why({conntrackd: {socket: 'ct.ctl'}})[0], /conntrackd\.socket: expected an absolute path/)
    assert.match(why({conntrackd: {log_file: 'ct.log'}})[0], /conntrackd\.log_file: expected an absolute path/)
    assert.match(why({dnsmasq: {lease_time: '12 hours'}})[0], /dnsmasq\.lease_time: expected a lease time/)
    assert.deepEqual(why({dnsmasq: {lease_time: '45m'}}), [])
    assert.match(why({doctor: {binary: 'bin/run.js'}})[0], /doctor\.binary: expected an absolute path/)
    assert.match(why({health: {track_file: 'track'}})[0], /health\.track_file: must be a file in state\.dir/)
    assert.deepEqual(why({keepalived: {fifo: ''}, health: {track_file: ''}}), [])
  })

  test('defaultConfig fills wan.interface and every default', () => {
    const config = defaultConfig('wan9')
    assert.equal(config.wan.interface, 'wan9')
    assert.deepEqual(Object.keys(config).sort(), Object.keys(SCHEMA).sort())
    assert.doesNotThrow(() => validateConfig(JSON.parse(JSON.stringify(config)), '', 'F'))
  })
})

describe('SCHEMA', () => {
  test('every key documents itself and its default passes its own check', () => {
    for (const [name, section] of Object.entries(SCHEMA)) {
      for (const [key, spec] of Object.entries(section as Record<string, {doc: string; default: unknown; required?: boolean}>)) {
        assert.ok(spec.doc.length > 10, `${name}.${key} has a doc string`)
        if (spec.required) continue
        const problems = findProblems({wan: {interface: 'e'}, [name]: {...(name === 'wan' ? {interface: 'e'} : {}), [key]: spec.default}}, '', 'F')
        assert.deepEqual(problems.map((p) => p.message), [], `${name}.${key}'s default is valid`)
      }
    }
  })
})

describe('locateKey', () => {
  const src = [
    '# top',           // 1
    'x = 1',           // 2
    '[wan]',           // 3
    'interface = "e"', // 4
    'a.b = 2',         // 5
    '"c.d" = 3',       // 6
    '[t . "u.v"]',     // 7
    'w = 4',           // 8
    '[[arr]]',         // 9
    'y = {z = 5}',     // 10
  ].join('\n')

  test('finds keys, dotted keys, quoted keys and table headers', () => {
    assert.equal(locateKey(src, ['x']), 2)
    assert.equal(locateKey(src, ['wan']), 3)
    assert.equal(locateKey(src, ['wan', 'interface']), 4)
    assert.equal(locateKey(src, ['wan', 'a', 'b']), 5)
    assert.equal(locateKey(src, ['wan', 'c.d']), 6)
    assert.equal(locateKey(src, ['t', 'u.v']), 7)
    assert.equal(locateKey(src, ['t', 'u.v', 'w']), 8)
    assert.equal(locateKey(src, ['arr']), 9)
    assert.equal(locateKey(src, ['arr', 'y']), 10)
  })

  test('a path written only as part of a longer or shorter key: that line', () => {
    assert.equal(locateKey(src, ['wan', 'a']), 5)   // dotted key under it
    assert.equal(locateKey(src, ['t']), 7)          // sub-table header
    assert.equal(locateKey(src, ['arr', 'y', 'z']), 10) // inside an inline table
  })

  test('0 when the key is not written', () => {
    assert.equal(locateKey(src, ['wan', 'table']), 0)
    assert.equal(locateKey(src, ['wan', 'c', 'd']), 0) // "c.d" is one key, not c then d
    assert.equal(locateKey(src, ['top']), 0)        // comments do not count
    assert.equal(locateKey('', ['wan']), 0)
  })
})
