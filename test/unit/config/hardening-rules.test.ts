// Config validation refuses what the commands would refuse or get wrong later (issue 15): interface
// names the kernel would not take, control characters in strings, and rules between keys.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {ifnameProblem} from '../../../src/core/iproute/ifname.js'
import {findProblems} from '../../../src/config/validate.js'
import {parse} from 'smol-toml'

const problems = (toml: string) => findProblems(parse(toml, {integersAsBigInt: 'asNeeded'}) as Record<string, unknown>, toml, 'c.toml').map((e) => e.message)
const WAN = '[wan]\ninterface = "ens7"\n'

describe('interface names as the kernel takes them', () => {
  for (const name of ['ens7', 'wan0', 'vrrp.60', 'a', 'x'.repeat(15), 'en-p1_s0@x']) test(`accepted: ${name}`, () => assert.equal(ifnameProblem(name), undefined))
  for (const [name, why] of [['wan0 ', /whitespace/], [' wan0', /whitespace/], ['wa n', /whitespace/], ['wan\t0', /whitespace/], ['eth0:1', /':'/], ['a/b', /'\/'/],
    ['x'.repeat(16), /15 bytes.*16/], ['ééééééééé', /15 bytes.*18/], ['.', /"\."/], ['..', /"\."/], ['', /not empty/], ['wan\u00010', /control/]] as const) {
    test(`refused: ${JSON.stringify(name)}`, () => assert.match(ifnameProblem(name) ?? '', why))
  }
  test('wan, lan and sync interfaces are checked by config validation, with file, line and key', () => {
    assert.deepEqual(problems('[wan]\ninterface = "wan0 "\n'), ['c.toml:2: wan.interface: expected an interface name without whitespace or control characters (" " at 4), got "wan0 "'])
    assert.match(problems(`${WAN}[lan]\ninterface = "eth0:1"\n`)[0], /^c\.toml:4: lan\.interface: expected an interface name without ':'/)
    assert.match(problems(`${WAN}[sync]\ninterface = "${'s'.repeat(16)}"\n`)[0], /^c\.toml:4: sync\.interface: expected an interface name of at most 15 bytes/)
    assert.deepEqual(problems('[wan]\ninterface = ""\n'), ['c.toml:2: wan.interface: required key is missing (expected a string)'])
  })
})

describe('strings without control characters', () => {
  test('a newline in a path or a list item is refused', () => {
    assert.match(problems(`${WAN}[state]\ndir = "/run/ha\\ntool"\n`)[0], /^c\.toml:4: state\.dir: expected a string without control characters/)
    assert.match(problems(`${WAN}[health]\ntargets = ["1.1.1.1", "8.8.8.8\\n"]\n`)[0], /health\.targets: expected strings without control characters/)
    assert.match(problems(`${WAN}[log]\nfile = "/var/log/x\\u0000"\n`)[0], /log\.file: expected a string without control characters/)
  })
})

describe('rules between keys', () => {
  const one = (toml: string) => {
    const p = problems(`${WAN}${toml}`)
    assert.equal(p.length, 1, p.join('\n'))
    return p[0]
  }
  test('min_ok above the number of targets', () => {
    assert.match(one('[health]\ntargets = ["127.0.0.1"]\nmin_ok = 2\n'), /^c\.toml:5: health\.min_ok: min_ok 2 exceeds the 1 target: every check would fail$/)
    assert.deepEqual(problems(`${WAN}[health]\ntargets = ["127.0.0.1", "127.0.0.2"]\nmin_ok = 2\n`), [])
  })
  test('timeout_ms not shorter than interval_ms (also against the defaults)', () => {
    assert.match(one('[health]\ntimeout_ms = 1000\ninterval_ms = 1000\n'), /health\.timeout_ms: 1000 ms is not shorter than health\.interval_ms 1000/)
    assert.match(one('[health]\ntimeout_ms = 2000\n'), /health\.timeout_ms: 2000 ms is not shorter than health\.interval_ms 1000/)
    assert.deepEqual(problems(`${WAN}[health]\ntimeout_ms = 999\n`), [])
  })
  test('rule_priority 32766 and 32767 are the kernel\'s', () => {
    for (const p of [32766, 32767]) assert.match(one(`rule_priority = ${p}\n`), /wan\.rule_priority: expected a priority other than 32766 and 32767/)
    assert.deepEqual(problems(`${WAN}rule_priority = 32765\n`), [])
  })
  test('fallback_table equal to wan.table or 254; fallback_priority equal to rule_priority', () => {
    assert.match(one('table = 240\n'), /^c\.toml: lan\.fallback_table: must differ from wan\.table \(240\)/)
    assert.match(one('[lan]\nfallback_table = 250\n'), /^c\.toml:4: lan\.fallback_table: must differ from wan\.table \(250\)/)
    assert.match(one('[lan]\nfallback_table = 254\n'), /lan\.fallback_table: must not be 254/)
    assert.match(one('[lan]\nfallback_priority = 32770\n'), /lan\.fallback_priority: must differ from wan\.rule_priority \(32770\)/)
  })
  test('state.dir must be absolute', () => {
    assert.match(one('[state]\ndir = "run/ha-tool"\n'), /state\.dir: must be an absolute path, not "run\/ha-tool"/)
  })
  test('track_file in state.dir; maintenance_file in state.dir or /var/lib/ha-tool', () => {
    assert.match(one('[health]\ntrack_file = "/etc/shadow"\n'), /health\.track_file: must be a file in state\.dir \(\/run\/ha-tool\), not "\/etc\/shadow"/)
    assert.match(one('[health]\ntrack_file = "/run/ha-tool/../../etc/shadow"\n'), /health\.track_file: must be a file in state\.dir/)
    assert.match(one('[health]\nmaintenance_file = "/etc/passwd"\n'), /health\.maintenance_file: must be a file in state\.dir \(\/run\/ha-tool\) or \/var\/lib\/ha-tool\//)
    assert.deepEqual(problems(`${WAN}[state]\ndir = "/srv/ha/"\n[health]\ntrack_file = "/srv/ha/track"\nmaintenance_file = "/var/lib/ha-tool/maintenance"\n`), [])
  })
  test('a key wrong by itself is not reported again by a rule', () => {
    assert.deepEqual(problems(`${WAN}[health]\ntimeout_ms = "x"\n`).length, 1)
  })
})
