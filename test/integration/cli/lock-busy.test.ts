// A command that takes the node lock exits 75 when another process holds it: `notify master`
// while a holder keeps `<state.dir>/lock`. It waits the whole state.lock_timeout_ms (set to 1.5 s). Everything runs in a throwaway network namespace (the lock is an abstract
// socket, which is per network namespace): if the lock ever failed to hold, the transition
// would meet only an empty namespace with no WAN link in it.
import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {ExitCode} from '../../../src/core/exit-codes.js'
import {BIN, cleanEnv, ensureBuilt, hasProgram, ROOT, run, withTempDir} from '../../support/spawn.js'

test('notify exits 75, with the busy error in --json, while another process holds the lock', {timeout: 60_000}, async (t) => {
  if (process.getuid?.() !== 0 || !hasProgram('unshare')) return t.skip('needs root and unshare for a throwaway network namespace')
  ensureBuilt()
  await withTempDir(async (dir) => {
    const stateDir = join(dir, 'state')
    const config = join(dir, 'c.toml')
    mkdirSync(stateDir)
    writeFileSync(config, `[wan]\ninterface = "hat-h2-none"\n[state]\ndir = "${stateDir}"\nlock_timeout_ms = 1500\n[log]\nlevel = "silent"\n`)
    const holder = `
      import {writeFileSync} from 'node:fs'
      import {acquireLock} from ${JSON.stringify(join(ROOT, 'src/adapters/lock.ts'))}
      await acquireLock(${JSON.stringify(`${stateDir}/lock`)}, 5000)
      writeFileSync(${JSON.stringify(join(dir, 'held'))}, '')
      setInterval(() => {}, 1000)`
    // The holder is killed by its PID when notify is done, whatever notify did.
    const script = `
      "$NODE" --import tsx --input-type=module -e "$HOLDER" &
      holder=$!
      i=0; while [ ! -e "$DIR/held" ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i+1)); done
      [ -e "$DIR/held" ] || { kill -9 $holder; echo "holder never took the lock" >&2; exit 99; }
      "$NODE" "$BIN" notify --config "$CONFIG" --json master
      code=$?
      kill -9 $holder
      wait $holder 2>/dev/null
      echo "exit=$code" >&2
      exit $code`
    const started = performance.now()
    const r = await run(['unshare', '-n', 'sh', '-c', script], {
      cwd: ROOT,
      timeoutMs: 50_000,
      env: cleanEnv({NODE: process.execPath, HOLDER: holder, DIR: dir, BIN, CONFIG: config}),
    })
    const seconds = (performance.now() - started) / 1000
    assert.match(r.stderr, /exit=\d+/, r.stderr)
    assert.equal(r.code, ExitCode.TEMPFAIL, `stdout: ${r.stdout}\nstderr: ${r.stderr}`)
    const out = JSON.parse(r.stdout) as {error: {message: string; kind: string; exit: number}}
    assert.equal(out.error.exit, 75)
    assert.equal(out.error.kind, 'busy')
    assert.match(out.error.message, new RegExp(`lock ${stateDir}/lock is busy`))
    assert.ok(seconds >= 1.5 && seconds < 30, `gave up after ${seconds.toFixed(1)} s, lock_timeout_ms is 1.5 s`)
    t.diagnostic(`notify gave up after ${seconds.toFixed(1)} s`)
  })
})
