// Config loading end to end through the real file reader: every way a file can be bad gets one
// HaError, exit 78, whose message is `FILE[:LINE[:COL]]: key.path: what was expected, got what`.
import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {checkConfigFile, DEFAULT_CONFIG_PATH, loadConfig, resolveConfigPath} from '../../../src/config/load.js'
import {SCHEMA} from '../../../src/config/schema.js'
import type {Spec} from '../../../src/config/spec.js'
import {HaError} from '../../../src/core/errors.js'
import {ExitCode} from '../../../src/core/exit-codes.js'
import {cleanEnv, hasProgram, runTs, withTempDir} from '../../support/spawn.js'

/** Writes `text` to a temp file and returns what loadConfig throws for it (or fails when it does not throw). */
async function loadError(text: string): Promise<{file: string; err: HaError}> {
  return withTempDir((dir) => {
    const file = join(dir, 'config.toml')
    writeFileSync(file, text)
    try {
      loadConfig(file)
    } catch (error) {
      assert.ok(error instanceof HaError, `expected a HaError, got ${String(error)}`)
      return {file, err: error}
    }
    assert.fail(`loadConfig accepted:\n${text}`)
  })
}

/** The message for `text`, with the temp path replaced by FILE; asserts exit 78 and one line. */
async function message(text: string): Promise<string> {
  const {file, err} = await loadError(text)
  assert.equal(err.exit, ExitCode.CONFIG)
  assert.equal(err.kind, 'config')
  assert.ok(!err.message.includes('\n'), `one line, got: ${err.message}`)
  assert.ok(err.message.startsWith(`${file}`), `names the file: ${err.message}`)
  return err.message.replaceAll(file, 'FILE')
}

const loadText = (text: string) => withTempDir((dir) => {
  const file = join(dir, 'config.toml')
  writeFileSync(file, text)
  return loadConfig(file)
})

describe('resolveConfigPath', () => {
  test('--config wins over $HA_TOOL_CONFIG, which wins over the default', () => {
    assert.equal(resolveConfigPath('/a.toml', {HA_TOOL_CONFIG: '/b.toml'}), '/a.toml')
    assert.equal(resolveConfigPath(undefined, {HA_TOOL_CONFIG: '/b.toml'}), '/b.toml')
    assert.equal(resolveConfigPath(undefined, {}), '/etc/ha-tool/config.toml')
    assert.equal(DEFAULT_CONFIG_PATH, '/etc/ha-tool/config.toml')
  })
})

describe('loadConfig: a valid file', () => {
  test('only wan.interface is required; every other key gets its documented default', async () => {
    const {config} = await loadText('[wan]\ninterface = "ens7"\n')
    assert.equal(config.wan.interface, 'ens7')
    for (const [name, section] of Object.entries(SCHEMA) as Array<[string, Record<string, Spec<unknown>>]>) {
      const values = (config as Record<string, Record<string, unknown>>)[name]
      assert.deepEqual(Object.keys(values).sort(), Object.keys(section).sort(), `[${name}] has exactly the schema's keys`)
      for (const [key, spec] of Object.entries(section)) {
        if (name === 'wan' && key === 'interface') continue
        assert.deepEqual(values[key], spec.default, `${name}.${key} defaults to ${JSON.stringify(spec.default)}`)
      }
    }
  })

  test('the names DESIGN.md fixes are read, with their defaults', async () => {
    const {config} = await loadText('[wan]\ninterface = "wan0"\ntable = 100\nrule_priority = 4294967295\nlink = "down-on-backup"\n[conntrackd]\nenabled = true\n')
    assert.equal(config.wan.table, 100)
    assert.equal(config.wan.rule_priority, 4294967295)
    assert.equal(config.wan.link, 'down-on-backup')
    assert.equal(config.wan.link_via, 'netlink')
    assert.equal(config.wan.renew, 'none')
    assert.equal(config.conntrackd.enabled, true)
    assert.equal(config.conntrackd.config, '/etc/conntrackd/conntrackd.conf')
    assert.equal(config.dnsmasq.leases, '/var/lib/misc/dnsmasq.leases')
    assert.equal(config.dnsmasq.peer, 'root@192.168.190.2')
    assert.equal(config.keepalived.instance, '')
    assert.equal(config.state.dir, '/run/ha-tool')
  })

  test('dotted, quoted and inline-table keys mean the same as a section', async () => {
    const variants = [
      'wan.interface = "e1"\nwan.table = 7\n',
      '["wan"]\n"interface" = "e1"\n\'table\' = 7\n',
      '"wan"."interface" = "e1"\nwan . table = 7\n',
      'wan = {interface = "e1", table = 7}\n',
    ]
    for (const text of variants) {
      const {config} = await loadText(text)
      assert.equal(config.wan.interface, 'e1', text)
      assert.equal(config.wan.table, 7, text)
    }
  })

  test('defaults are fresh copies: changing one loaded config does not change the next', async () => {
    const listKey = firstKeyOfType('list')
    if (!listKey) return
    const a = await loadText('[wan]\ninterface = "e"\n')
    ;((a.config as Record<string, Record<string, unknown>>)[listKey[0]][listKey[1]] as string[]).push('x')
    const b = await loadText('[wan]\ninterface = "e"\n')
    assert.deepEqual((b.config as Record<string, Record<string, unknown>>)[listKey[0]][listKey[1]], [])
  })
})

describe('loadConfig: the file cannot be read', () => {
  test('missing file: exit 78 naming the file, with a hint', async () => {
    await withTempDir((dir) => {
      const file = join(dir, 'nope.toml')
      assert.throws(() => loadConfig(file), (e: unknown) => {
        assert.ok(e instanceof HaError)
        assert.equal(e.exit, 78)
        assert.equal(e.message, `${file}: no such config file`)
        assert.match(e.hint ?? '', /--config/)
        return true
      })
    })
  })

  test('a directory: exit 78 saying so', async () => {
    await withTempDir((dir) => {
      assert.throws(() => loadConfig(dir), (e: unknown) => e instanceof HaError && e.exit === 78 && e.message === `${dir}: is a directory, expected a TOML file`)
    })
  })

  test('permission denied: exit 78 saying so (read as nobody: root bypasses mode bits)', async (t) => {
    if (!hasProgram('setpriv')) return t.skip('setpriv (util-linux) is missing: cannot drop root to test EACCES')
    if (process.getuid?.() !== 0) return t.skip('not root: cannot switch to nobody to test EACCES')
    // mkdtemp makes the directory 0700; open it up so only the file's own mode stands in the way.
    await withTempDir(async (dir) => {
      chmodSync(dir, 0o755)
      const file = join(dir, 'config.toml')
      writeFileSync(file, '[wan]\ninterface = "e"\n')
      chmodSync(file, 0o000)
      const code = `
        import {loadConfig} from ${JSON.stringify(new URL('../../../src/config/load.ts', import.meta.url).pathname)}
        try { loadConfig(${JSON.stringify(file)}); console.log(JSON.stringify({ok: true})) }
        catch (e) { console.log(JSON.stringify({exit: e.exit, kind: e.kind, message: e.message})) }`
      const r = await runTs(code, {prefix: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'], env: cleanEnv({HOME: '/nonexistent'})})
      assert.equal(r.code, 0, r.stderr)
      assert.deepEqual(JSON.parse(r.stdout), {exit: 78, kind: 'config', message: `${file}: permission denied reading the config`})
    })
  })
})

describe('loadConfig: TOML syntax errors name line and column', () => {
  test('an unterminated string', async () => {
    assert.match(await message('# comment\n[wan]\ninterface = "ens7\n'), /^FILE:3:\d+: TOML syntax error: .+/)
  })

  test('the column is where the parser stopped', async () => {
    assert.equal(await message('[wan]\ninterface = "e"\ntable = \n'), 'FILE:3:9: TOML syntax error: invalid value')
  })

  test('a key given twice', async () => {
    assert.match(await message('[wan]\ninterface = "e"\ninterface = "f"\n'), /^FILE:3:1: TOML syntax error: /)
  })

  test('a section given twice', async () => {
    assert.match(await message('[wan]\ninterface = "e"\n\n[wan]\ntable = 1\n'), /^FILE:4:\d+: TOML syntax error: /)
  })
})

describe('loadConfig: schema errors name line and key path', () => {
  test('unknown section', async () => {
    assert.equal(await message('[wan]\ninterface = "e"\n[wann]\ntable = 1\n'),
      `FILE:3: wann: unknown section (known sections: ${Object.keys(SCHEMA).join(', ')})`)
  })

  test('unknown section written as a sub-table or dotted key still gets its line', async () => {
    assert.match(await message('[wan]\ninterface = "e"\n\n[foo.bar]\nx = 1\n'), /^FILE:4: foo: unknown section/)
    assert.match(await message('[wan]\ninterface = "e"\n[[foo]]\nx = 1\n'), /^FILE:3: foo: unknown /)
    assert.match(await message('wan.interface = "e"\nfoo.x = 1\n'), /^FILE:2: foo: unknown section/)
  })

  test('unknown top-level key', async () => {
    assert.match(await message('debug = true\n[wan]\ninterface = "e"\n'), /^FILE:1: debug: unknown key \(known sections: /)
  })

  test('unknown key in a known section', async () => {
    assert.equal(await message('[wan]\ninterface = "e"\ntabel = 250\n'),
      `FILE:3: wan.tabel: unknown key (known: ${Object.keys(SCHEMA.wan).join(', ')})`)
  })

  test('names inherited from Object.prototype are unknown, not silently accepted', async () => {
    assert.match(await message('[wan]\ninterface = "e"\nconstructor = "x"\n'), /^FILE:3: wan.constructor: unknown key/)
    assert.match(await message('[wan]\ninterface = "e"\ntoString = 1\n'), /^FILE:3: wan.toString: unknown key/)
    assert.match(await message('[wan]\ninterface = "e"\n[hasOwnProperty]\na = 1\n'), /^FILE:3: hasOwnProperty: unknown section/)
    assert.match(await message('[wan]\ninterface = "e"\n__proto__ = 1\n'), /^FILE:3: wan.__proto__: unknown key/)
  })

  test('a known section written as a value', async () => {
    assert.match(await message('wan = "ens7"\n'), /^FILE:1: wan: expected a \[wan\] section, got "ens7"$/)
  })

  test('wrong type: the issue\'s own example', async () => {
    assert.equal(await message('[wan]\ninterface = "ens7"\ntable = "main"\n'), 'FILE:3: wan.table: expected an integer 1..4294967295, got "main"')
  })

  test('wrong types of every kind', async () => {
    assert.equal(await message('[wan]\ninterface = 7\n'), 'FILE:2: wan.interface: expected a string, got 7')
    assert.equal(await message('[wan]\ninterface = "e"\ntable = 250.5\n'), 'FILE:3: wan.table: expected an integer 1..4294967295, got 250.5')
    assert.equal(await message('[wan]\ninterface = "e"\ntable = true\n'), 'FILE:3: wan.table: expected an integer 1..4294967295, got true')
    assert.equal(await message('[wan]\ninterface = "e"\n[conntrackd]\nenabled = "yes"\n'), 'FILE:4: conntrackd.enabled: expected true or false, got "yes"')
    assert.equal(await message('[wan]\ninterface = "e"\nlink = "up"\n'), 'FILE:3: wan.link: expected one of "keep-up", "down-on-backup", got "up"')
    assert.equal(await message('[wan]\ninterface = "e"\nlink = ["keep-up"]\n'), 'FILE:3: wan.link: expected one of "keep-up", "down-on-backup", got an array')
    assert.equal(await message('[wan]\ninterface = "e"\n[state]\ndir = {a = 1}\n'), 'FILE:4: state.dir: expected a string, got a table')
    assert.equal(await message('[wan]\ninterface = "e"\n[state]\ndir = 1979-05-27\n'), 'FILE:4: state.dir: expected a string, got "1979-05-27"')
    const listKey = firstKeyOfType('list')
    if (listKey) {
      const [section, key] = listKey
      const text = section === 'wan' ? `[wan]\ninterface = "e"\n${key} = ["a", 1]\n` : `[wan]\ninterface = "e"\n[${section}]\n${key} = ["a", 1]\n`
      assert.equal(await message(text), `FILE:${section === 'wan' ? 3 : 4}: ${section}.${key}: expected an array of strings, got an array`)
    }
  })

  test('out of range, both ends, and inf/nan', async () => {
    assert.equal(await message('[wan]\ninterface = "e"\ntable = 0\n'), 'FILE:3: wan.table: expected an integer 1..4294967295, got 0')
    assert.equal(await message('[wan]\ninterface = "e"\ntable = -1\n'), 'FILE:3: wan.table: expected an integer 1..4294967295, got -1')
    assert.equal(await message('[wan]\ninterface = "e"\ntable = 4294967296\n'), 'FILE:3: wan.table: expected an integer 1..4294967295, got 4294967296')
    assert.equal(await message('[wan]\ninterface = "e"\nup_timeout_ms = 99\n'), 'FILE:3: wan.up_timeout_ms: expected an integer 100..120000, got 99')
    assert.equal(await message('[wan]\ninterface = "e"\ntable = inf\n'), 'FILE:3: wan.table: expected an integer 1..4294967295, got inf')
    assert.equal(await message('[wan]\ninterface = "e"\ntable = -inf\n'), 'FILE:3: wan.table: expected an integer 1..4294967295, got -inf')
    assert.equal(await message('[wan]\ninterface = "e"\ntable = nan\n'), 'FILE:3: wan.table: expected an integer 1..4294967295, got nan')
  })

  test('the upper bound itself is accepted', async () => {
    assert.equal((await loadText('[wan]\ninterface = "e"\ntable = 4294967295\n')).config.wan.table, 4294967295)
    assert.equal((await loadText('[wan]\ninterface = "e"\ntable = 1\n')).config.wan.table, 1)
  })

  test('integers too big for a double name the key, not a syntax error', async () => {
    assert.equal(await message('[wan]\ninterface = "e"\ntable = 99999999999999999999\n'), 'FILE:3: wan.table: expected an integer 1..4294967295, got 99999999999999999999')
    assert.equal(await message('[wan]\ninterface = "e"\nrule_priority = -9007199254740993\n'), 'FILE:3: wan.rule_priority: expected an integer 1..4294967295, got -9007199254740993')
    assert.equal(await message('[wan]\ninterface = 9007199254740993\n'), 'FILE:2: wan.interface: expected a string, got 9007199254740993')
  })

  test('reserved routing tables 253..255 are refused, 252 and 256 are not', async () => {
    for (const t of [253, 254, 255]) {
      assert.equal(await message(`[wan]\ninterface = "e"\ntable = ${t}\n`), `FILE:3: wan.table: expected a table other than 253..255 (default, main, local), got ${t}`)
    }
    assert.equal((await loadText('[wan]\ninterface = "e"\ntable = 252\n')).config.wan.table, 252)
    assert.equal((await loadText('[wan]\ninterface = "e"\ntable = 256\n')).config.wan.table, 256)
  })

  test('missing required wan.interface: no line when it is not written', async () => {
    assert.equal(await message('[wan]\ntable = 250\n'), 'FILE: wan.interface: required key is missing (expected a string)')
    assert.equal(await message(''), 'FILE: wan.interface: required key is missing (expected a string)')
    assert.equal(await message('[state]\ndir = "/run/x"\n'), 'FILE: wan.interface: required key is missing (expected a string)')
  })

  test('wan.interface = "" counts as missing, at its line', async () => {
    assert.equal(await message('[wan]\n\ninterface = ""\n'), 'FILE:3: wan.interface: required key is missing (expected a string)')
  })
})

describe('loadConfig: line numbers', () => {
  test('comments, blank lines and a commented-out copy of the key do not shift the line', async () => {
    const text = '# ha-tool\n\n[wan]\n# table = "main"\ninterface = "e"   # the WAN\n\n\ntable = "main"  # oops\n'
    assert.match(await message(text), /^FILE:8: wan.table: /)
  })

  test('CRLF line endings', async () => {
    assert.match(await message('[wan]\r\ninterface = "e"\r\n\r\ntable = "main"\r\n'), /^FILE:4: wan.table: /)
  })

  test('the same key name in two sections: each error at its own section\'s line', async () => {
    const problems = await withTempDir((dir) => {
      const file = join(dir, 'c.toml')
      writeFileSync(file, '[wan]\ninterface = "e"\n[keepalived]\nconfig = 1\n[conntrackd]\nconfig = 2\n')
      return checkConfigFile(file).map((p) => p.replaceAll(file, 'FILE'))
    })
    assert.deepEqual(problems, ['FILE:4: keepalived.config: expected a string, got 1', 'FILE:6: conntrackd.config: expected a string, got 2'])
  })

  test('dotted keys at the top level and inside a section', async () => {
    assert.match(await message('wan.interface = "e"\n\nwan.table = "main"\n'), /^FILE:3: wan.table: /)
    assert.match(await message('[wan]\ninterface = "e"\n[log]\nlevel = "loud"\n'), /^FILE:4: log.level: /)
  })

  test('quoted keys, including a quoted key with a dot in it', async () => {
    assert.match(await message('[wan]\n"interface" = "e"\n"table" = "main"\n'), /^FILE:3: wan.table: /)
    assert.match(await message('[ "wan" ]\ninterface = "e"\n\'table\' = "main"\n'), /^FILE:3: wan.table: /)
    assert.match(await message('"wan".interface = "e"\n"wan" . "table" = "main"\n'), /^FILE:2: wan.table: /)
    assert.match(await message('[wan]\ninterface = "e"\n"tab.le" = 1\n'), /^FILE:3: wan."tab.le": unknown key/)
  })

  test('inline tables: the line of the table', async () => {
    assert.match(await message('# x\nwan = {interface = "e", table = "main"}\n'), /^FILE:2: wan.table: /)
  })

  test('a key named like a section is not confused with it', async () => {
    // `[dnsmasq]` has no `wan` key; the error is dnsmasq.wan at line 4, not the [wan] header.
    assert.match(await message('[wan]\ninterface = "e"\n[dnsmasq]\nwan = 1\n'), /^FILE:4: dnsmasq.wan: unknown key/)
  })
})

describe('checkConfigFile (config validate) and loadConfig agree', () => {
  test('validate lists every problem in line order; load throws the first', async () => {
    const text = '[wan]\ntable = "main"\nlink = "up"\n[bogus]\nx = 1\n[log]\nlevel = 3\n'
    await withTempDir((dir) => {
      const file = join(dir, 'c.toml')
      writeFileSync(file, text)
      const problems = checkConfigFile(file).map((p) => p.replaceAll(file, 'FILE'))
      assert.deepEqual(problems.map((p) => p.split(': ').slice(0, 2).join(': ')), [
        'FILE:2: wan.table',
        'FILE:3: wan.link',
        'FILE:4: bogus',
        'FILE:7: log.level',
        'FILE: wan.interface',
      ])
      assert.throws(() => loadConfig(file), (e: unknown) => e instanceof HaError && e.message === problems[0].replace('FILE', file))
    })
  })

  test('a valid file has no problems', async () => {
    await withTempDir((dir) => {
      const file = join(dir, 'c.toml')
      writeFileSync(file, '[wan]\ninterface = "e"\n')
      assert.deepEqual(checkConfigFile(file), [])
    })
  })

  test('validate throws (exit 78) when the file cannot be read or parsed at all', async () => {
    await withTempDir((dir) => {
      mkdirSync(join(dir, 'd'))
      assert.throws(() => checkConfigFile(join(dir, 'd')), (e: unknown) => e instanceof HaError && e.exit === 78)
      assert.throws(() => checkConfigFile(join(dir, 'missing')), (e: unknown) => e instanceof HaError && e.exit === 78)
      writeFileSync(join(dir, 'bad.toml'), '[wan\n')
      assert.throws(() => checkConfigFile(join(dir, 'bad.toml')), (e: unknown) => e instanceof HaError && e.exit === 78 && /:1:\d+: TOML syntax error/.test(e.message))
    })
  })
})

function firstKeyOfType(type: Spec<unknown>['type']): [string, string] | undefined {
  for (const [name, section] of Object.entries(SCHEMA) as Array<[string, Record<string, Spec<unknown>>]>) {
    for (const [key, spec] of Object.entries(section)) if (spec.type === type && !spec.check) return [name, key]
  }
  return undefined
}
