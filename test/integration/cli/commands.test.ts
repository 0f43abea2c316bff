// The CLI as keepalived and scripts run it: a fresh `node bin/run.js ...` with stdin closed.
// Exit codes follow the one table with and without --json; --json errors are one JSON object on stdout.
import assert from 'node:assert/strict'
import {chmodSync, existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {before, describe, test} from 'node:test'
import {ExitCode} from '../../../src/core/exit-codes.js'
import {cleanEnv, ensureBuilt, hasProgram, ROOT, runCli, withTempDir} from '../../support/spawn.js'

const GOOD = '[wan]\ninterface = "ens7"\n'
const BAD = '[wan]\ninterface = "ens7"\ntable = "main"\n'
const BAD_LINE = 'wan.table: expected an integer 1..4294967295, got "main"'

before(() => ensureBuilt())

/** Runs with a good and a bad config file in a temp dir; the callback gets their paths. */
function withFiles<T>(fn: (f: {dir: string; good: string; bad: string}) => Promise<T>): Promise<T> {
  return withTempDir((dir) => {
    const good = join(dir, 'good.toml')
    const bad = join(dir, 'bad.toml')
    writeFileSync(good, GOOD)
    writeFileSync(bad, BAD)
    return fn({dir, good, bad})
  })
}

/** The --json error object: exactly {error: {message, kind, exit[, hint]}}, alone on stdout. */
function jsonError(stdout: string): {message: string; kind: string; exit: number; hint?: string} {
  const parsed = JSON.parse(stdout) as {error: {message: string; kind: string; exit: number; hint?: string}}
  assert.deepEqual(Object.keys(parsed), ['error'])
  const keys = Object.keys(parsed.error).sort()
  assert.ok(['exit,kind,message', 'exit,hint,kind,message'].includes(keys.join(',')), `error keys: ${keys}`)
  assert.equal(typeof parsed.error.message, 'string')
  return parsed.error
}

describe('config errors exit 78, with and without --json', () => {
  test('a bad value: one line on stderr naming file, line and key; nothing on stdout', async () => {
    await withFiles(async ({bad}) => {
      const r = await runCli(['config', 'show', '--config', bad])
      assert.equal(r.code, ExitCode.CONFIG)
      assert.equal(r.stdout, '')
      assert.equal(r.stderr, `ha-tool: ${bad}:3: ${BAD_LINE}\n`)
    })
  })

  test('--json: the error object on stdout, same exit', async () => {
    await withFiles(async ({bad}) => {
      const r = await runCli(['config', 'show', '--config', bad, '--json'])
      assert.equal(r.code, ExitCode.CONFIG)
      assert.deepEqual(jsonError(r.stdout), {message: `${bad}:3: ${BAD_LINE}`, kind: 'config', exit: 78})
      assert.equal(r.stderr, '')
    })
  })

  test('a missing file, both ways, with the fix in the hint', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'none.toml')
      const plain = await runCli(['config', 'show', '--config', file])
      assert.equal(plain.code, 78)
      assert.match(plain.stderr, new RegExp(`^ha-tool: ${file}: no such config file \\(.*--config.*\\)\\n$`))
      const json = await runCli(['config', 'show', '--config', file, '--json'])
      assert.equal(json.code, 78)
      const e = jsonError(json.stdout)
      assert.equal(e.message, `${file}: no such config file`)
      assert.equal(e.kind, 'config')
      assert.equal(e.exit, 78)
      assert.match(e.hint ?? '', /--config/)
    })
  })

  test('a TOML syntax error: file:line:column', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'c.toml')
      writeFileSync(file, '[wan]\ninterface = "ens7"\ntable = \n')
      const r = await runCli(['config', 'show', '--config', file])
      assert.equal(r.code, 78)
      assert.equal(r.stderr, `ha-tool: ${file}:3:9: TOML syntax error: invalid value\n`)
    })
  })

  test('permission denied, as nobody (root reads anything)', async (t) => {
    if (!hasProgram('setpriv')) return t.skip('setpriv (util-linux) is missing: cannot drop root to test EACCES')
    if (process.getuid?.() !== 0) return t.skip('not root: cannot switch to nobody')
    await withFiles(async ({dir, good}) => {
      chmodSync(dir, 0o755)
      chmodSync(good, 0o000)
      const prefix = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups']
      const env = cleanEnv({HOME: '/nonexistent', XDG_CACHE_HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir})
      const plain = await runCli(['config', 'validate', good], {prefix, env})
      assert.equal(plain.code, 78, plain.stderr)
      assert.match(plain.stderr, new RegExp(`ha-tool: ${good}: permission denied reading the config\\n$`))
      const json = await runCli(['config', 'validate', good, '--json'], {prefix, env})
      assert.equal(json.code, 78)
      assert.deepEqual(jsonError(json.stdout), {message: `${good}: permission denied reading the config`, kind: 'config', exit: 78})
    })
  })
})

describe('usage errors exit 2, with and without --json', () => {
  test('an unknown flag', async () => {
    const plain = await runCli(['config', 'show', '--bogus'])
    assert.equal(plain.code, ExitCode.USAGE)
    assert.equal(plain.stdout, '')
    assert.match(plain.stderr, /Nonexistent flag: --bogus/)
    const json = await runCli(['config', 'show', '--bogus', '--json'])
    assert.equal(json.code, ExitCode.USAGE)
    const e = jsonError(json.stdout)
    assert.equal(e.kind, 'usage')
    assert.equal(e.exit, 2)
    assert.match(e.message, /Nonexistent flag: --bogus/)
  })

  test('a flag value outside its options (oclif alone would exit 1)', async () => {
    const plain = await runCli(['config', 'show', '--log-level', 'loud'])
    assert.equal(plain.code, ExitCode.USAGE, plain.stderr)
    const json = await runCli(['config', 'show', '--log-level', 'loud', '--json'])
    assert.equal(json.code, ExitCode.USAGE)
    assert.equal(jsonError(json.stdout).kind, 'usage')
  })

  test('an unexpected argument', async () => {
    const plain = await runCli(['config', 'validate', 'a.toml', 'b.toml'])
    assert.equal(plain.code, ExitCode.USAGE)
    const json = await runCli(['config', 'validate', 'a.toml', 'b.toml', '--json'])
    assert.equal(json.code, ExitCode.USAGE)
    assert.match(jsonError(json.stdout).message, /Unexpected argument: b.toml/)
  })

  test('the fast path (check, notify) maps usage errors the same way', async () => {
    for (const cmd of ['check', 'notify']) {
      const plain = await runCli([cmd, '--bogus-flag'])
      assert.equal(plain.code, ExitCode.USAGE, `${cmd}: ${plain.stderr}`)
      assert.equal(plain.stdout, '')
      assert.match(plain.stderr, /^ha-tool: .*bogus-flag/)
      const json = await runCli([cmd, '--bogus-flag', '--json'])
      assert.equal(json.code, ExitCode.USAGE, cmd)
      const e = jsonError(json.stdout)
      assert.equal(e.kind, 'usage')
      assert.equal(e.exit, 2)
      const level = await runCli([cmd, '--log-level', 'loud', '--json'])
      assert.equal(level.code, ExitCode.USAGE, `${cmd} --log-level loud`)
      assert.equal(jsonError(level.stdout).kind, 'usage')
    }
  })
})

describe('config validate', () => {
  test('a good file: exit 0, "FILE: valid"; --json {file, valid, problems}', async () => {
    await withFiles(async ({good}) => {
      const plain = await runCli(['config', 'validate', good])
      assert.equal(plain.code, 0)
      assert.equal(plain.stdout, `${good}: valid\n`)
      const json = await runCli(['config', 'validate', good, '--json'])
      assert.equal(json.code, 0)
      assert.deepEqual(JSON.parse(json.stdout), {file: good, valid: true, problems: []})
    })
  })

  test('a bad file: exit 78 and every problem, one per line, in file order', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'c.toml')
      writeFileSync(file, '[wan]\ntable = 254\nlinks = "x"\n\n[log]\nlevel = "loud"\n')
      const plain = await runCli(['config', 'validate', file])
      assert.equal(plain.code, 78)
      const lines = plain.stdout.trimEnd().split('\n')
      assert.equal(lines.length, 4, plain.stdout)
      assert.match(lines[0], new RegExp(`^${file}:2: wan.table: expected a table other than 253..255`))
      assert.match(lines[1], new RegExp(`^${file}:3: wan.links: unknown key`))
      assert.match(lines[2], new RegExp(`^${file}:6: log.level: expected one of`))
      assert.equal(lines[3], `${file}: wan.interface: required key is missing (expected a string)`)
      const json = await runCli(['config', 'validate', file, '--json'])
      assert.equal(json.code, 78)
      const out = JSON.parse(json.stdout) as {file: string; valid: boolean; problems: string[]}
      assert.deepEqual(out, {file, valid: false, problems: lines})
    })
  })

  test('an unreadable or unparsable file: exit 78 both ways', async () => {
    await withTempDir(async (dir) => {
      const plain = await runCli(['config', 'validate', dir])
      assert.equal(plain.code, 78)
      assert.match(plain.stderr, /is a directory/)
      writeFileSync(join(dir, 'x.toml'), '[wan\n')
      const json = await runCli(['config', 'validate', join(dir, 'x.toml'), '--json'])
      assert.equal(json.code, 78)
      assert.match(jsonError(json.stdout).message, /x\.toml:1:\d+: TOML syntax error/)
    })
  })
})

describe('which config is read: --config over $HA_TOOL_CONFIG over /etc/ha-tool/config.toml', () => {
  test('--config wins over the environment', async () => {
    await withFiles(async ({good, bad}) => {
      const r = await runCli(['config', 'validate', '--config', good, '--json'], {env: cleanEnv({HA_TOOL_CONFIG: bad})})
      assert.equal(r.code, 0)
      assert.equal(JSON.parse(r.stdout).file, good)
    })
  })

  test('config validate FILE checks FILE, whatever --config says', async () => {
    await withFiles(async ({good, bad}) => {
      const r = await runCli(['config', 'validate', good, '--config', bad, '--json'])
      assert.equal(r.code, 0)
      assert.equal(JSON.parse(r.stdout).file, good)
    })
  })

  test('$HA_TOOL_CONFIG when there is no --config', async () => {
    await withFiles(async ({bad}) => {
      const r = await runCli(['config', 'show', '--json'], {env: cleanEnv({HA_TOOL_CONFIG: bad})})
      assert.equal(r.code, 78)
      assert.equal(jsonError(r.stdout).message, `${bad}:3: ${BAD_LINE}`)
    })
  })

  test('the default path otherwise', async () => {
    const r = await runCli(['config', 'validate', '--json'])
    const file = '/etc/ha-tool/config.toml'
    if (existsSync(file)) assert.equal(JSON.parse(r.stdout).file, file)
    else assert.deepEqual([r.code, jsonError(r.stdout).message], [78, `${file}: no such config file`])
  })

  test('the fast path reads the same file (a config error there is 78 too)', async () => {
    await withFiles(async ({bad}) => {
      const r = await runCli(['notify', 'master', '--json'], {env: cleanEnv({HA_TOOL_CONFIG: bad})})
      assert.equal(r.code, 78, r.stdout + r.stderr)
      assert.equal(jsonError(r.stdout).message, `${bad}:3: ${BAD_LINE}`)
    })
  })
})

describe('config show', () => {
  test('prints the effective config with defaults filled, as TOML and as JSON', async () => {
    await withFiles(async ({good}) => {
      const text = await runCli(['config', 'show', '--config', good])
      assert.equal(text.code, 0)
      assert.match(text.stdout, /^\[wan\]$/m)
      assert.match(text.stdout, /^interface = "ens7"$/m)
      assert.match(text.stdout, /^table = 250$/m)
      const json = await runCli(['config', 'show', '--config', good, '--json'])
      assert.equal(json.code, 0)
      const out = JSON.parse(json.stdout) as {file: string; config: {wan: {interface: string; table: number; rule_priority: number}}}
      assert.equal(out.file, good)
      assert.equal(out.config.wan.interface, 'ens7')
      assert.equal(out.config.wan.table, 250)
      assert.equal(out.config.wan.rule_priority, 32770)
    })
  })
})

describe('help and version', () => {
  test('ha-tool --help lists every topic that has commands', async () => {
    const r = await runCli(['--help'])
    assert.equal(r.code, 0)
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {hidden?: boolean}>}
    // Hidden commands (peer serve|flows: run by the other node's ssh key, not by hand) hide their topic.
    const topics = new Set(Object.entries(manifest.commands).filter(([id, c]) => id.includes(':') && !c.hidden).map(([id]) => id.split(':')[0]))
    assert.ok(topics.has('config'), 'the config topic exists')
    const section = r.stdout.split(/^TOPICS$/m)[1] ?? ''
    for (const topic of topics) assert.match(section, new RegExp(`^  ${topic}\\s+\\S`, 'm'), `topic ${topic} is listed with a description`)
  })

  test('--version prints ha-tool/<package version>+g<commit it was built from>', async () => {
    const {version} = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}
    const r = await runCli(['--version'])
    assert.equal(r.code, 0)
    assert.match(r.stdout, new RegExp(`^ha-tool/${version.replaceAll('.', '\\.')}\\+g([0-9a-f]{12}(-dirty)?|unknown) `))
  })

  test('command help ends with the exit-code table', async () => {
    const r = await runCli(['config', 'validate', '--help'])
    assert.equal(r.code, 0)
    for (const code of [0, 1, 2, 3, 69, 75, 78]) assert.match(r.stdout, new RegExp(`^\\s+${code}  \\S`, 'm'), `exit ${code} documented`)
  })
})

describe('logs: JSON on stderr or in log.file, never on stdout', () => {
  // An event notify must ignore (not a role change, and for another instance), so nothing is
  // changed; run in a fresh network namespace anyway, so even a regression touches no real link.
  const EVENT = ['INSTANCE', 'VI_hat_h2', 'MASTER_RX_LOWER_PRI', '100']
  const config = (dir: string, log: string) =>
    `[wan]\ninterface = "hat-h2-none"\n[keepalived]\ninstance = "VI_other"\n[state]\ndir = "${dir}/state"\n[log]\n${log}\n`

  async function notify(dir: string, log: string, extra: string[] = []) {
    const file = join(dir, 'c.toml')
    writeFileSync(file, config(dir, log))
    return runCli(['notify', '--config', file, ...extra, ...EVENT], {prefix: ['unshare', '-n']})
  }

  test('log.file set: the log line is appended there; stdout has only the result', async (t) => {
    if (process.getuid?.() !== 0 || !hasProgram('unshare')) return t.skip('needs root and unshare for a throwaway network namespace')
    await withTempDir(async (dir) => {
      const logFile = join(dir, 'log/ha-tool.log')
      const r = await notify(dir, `level = "info"\nfile = "${logFile}"`)
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stderr, '')
      assert.match(r.stdout, /^ignored: .+\n$/)
      const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {level: number; msg: string; name: string})
      assert.equal(lines.length, 1)
      assert.equal(lines[0].level, 30)
      assert.equal(lines[0].name, 'ha-tool')
      assert.equal(lines[0].msg, r.stdout.trimEnd())
    })
  })

  test('no log.file: JSON lines on stderr; --json output stays one JSON document', async (t) => {
    if (process.getuid?.() !== 0 || !hasProgram('unshare')) return t.skip('needs root and unshare for a throwaway network namespace')
    await withTempDir(async (dir) => {
      const r = await notify(dir, 'level = "info"', ['--json'])
      assert.equal(r.code, 0, r.stderr)
      const result = JSON.parse(r.stdout) as {ignored: boolean}
      assert.equal(result.ignored, true)
      const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as {level: number})
      assert.deepEqual(lines.map((l) => l.level), [30])
    })
  })

  test('--log-level above the line\'s level: nothing logged', async (t) => {
    if (process.getuid?.() !== 0 || !hasProgram('unshare')) return t.skip('needs root and unshare for a throwaway network namespace')
    await withTempDir(async (dir) => {
      const r = await notify(dir, 'level = "info"', ['--log-level', 'warn'])
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stderr, '')
      assert.match(r.stdout, /^ignored: /)
    })
  })
})
