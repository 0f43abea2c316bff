// An unprivileged local user cannot block a transition by taking the node lock first: as
// `nobody` (setpriv) a squatter binds every name the lock ever used (the old abstract socket)
// and tries to create the lock's name in state.dir, then root's `notify BACKUP` and `MASTER`
// must run (not wait out lock_timeout_ms and exit 75). In a throwaway network namespace with a
// dummy WAN link, so whatever notify does stays there.
import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {BIN, cleanEnv, ensureBuilt, hasProgram, ROOT, run, withTempDir} from '../../support/spawn.js'

const SQUAT = `
  const net = require('node:net'), fs = require('node:fs')
  const lock = process.env.LOCK
  const tried = []
  const bind = (name) => new Promise((resolve) => {
    const s = net.createServer()
    s.once('error', (e) => { tried.push(e.code); resolve() })
    s.listen({path: name}, () => { tried.push('bound ' + JSON.stringify(name)); resolve() })
  })
  ;(async () => {
    for (const name of ['\\0ha-tool:' + lock, lock, lock + '.recover']) await bind(name)
    try { fs.writeFileSync(lock, ''); tried.push('created ' + lock) } catch (e) { tried.push(e.code) }
    fs.writeFileSync(process.env.READY, tried.join(' '))
  })()
  setInterval(() => {}, 1000)`

test('a lock squatted by nobody does not block notify BACKUP or MASTER', {timeout: 60_000}, async (t) => {
  if (process.getuid?.() !== 0 || !hasProgram('unshare') || !hasProgram('setpriv') || !hasProgram('nft')) return t.skip('needs root, unshare, setpriv and nft')
  ensureBuilt()
  await withTempDir(async (dir) => {
    chmodSync(dir, 0o755)
    const stateDir = join(dir, 'state')
    mkdirSync(stateDir, {mode: 0o755})
    const out = join(dir, 'out') // where nobody reports what it could take
    mkdirSync(out)
    chmodSync(out, 0o777)
    const config = join(dir, 'c.toml')
    writeFileSync(config, `[wan]\ninterface = "hat-h2-wan"\n[state]\ndir = "${stateDir}"\nlock_timeout_ms = 1500\n[keepalived]\ndbus = false\n[log]\nlevel = "silent"\n`)
    const script = `
      ip link add hat-h2-wan type veth peer name hat-h2-isp && ip link set hat-h2-wan up && ip link set hat-h2-isp up || exit 98
      setpriv --reuid=nobody --regid=nogroup --clear-groups "$NODE" -e "$SQUAT" &
      squatter=$!
      i=0; while [ ! -e "$READY" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
      echo "squatter: $(cat "$READY")" >&2
      "$NODE" "$BIN" notify --config "$CONFIG" --json backup; b=$?
      "$NODE" "$BIN" notify --config "$CONFIG" --json master; m=$?
      kill -9 $squatter; wait $squatter 2>/dev/null
      echo "backup=$b master=$m" >&2`
    const r = await run(['unshare', '-n', 'sh', '-c', script], {
      cwd: ROOT,
      timeoutMs: 50_000,
      env: cleanEnv({NODE: process.execPath, SQUAT, BIN, CONFIG: config, LOCK: join(stateDir, 'lock'), READY: join(out, 'ready')}),
    })
    t.diagnostic(r.stderr.trim())
    assert.match(r.stderr, /squatter: bound "\\u0000ha-tool:[^"]+" EACCES EACCES EACCES/, 'the squatter took the abstract name and nothing in state.dir')
    const codes = /backup=(\d+) master=(\d+)/.exec(r.stderr)
    assert.ok(codes, r.stderr)
    assert.doesNotMatch(r.stdout, /busy/)
    assert.equal(codes[1], '0', `notify backup: ${r.stdout}`)
    // MASTER has no table-250 default route on this link: a failed check (3), never 75.
    assert.notEqual(codes[2], '75', `notify master: ${r.stdout}`)
  })
})
