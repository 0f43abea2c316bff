// Nothing a user can point ha-tool at makes it hang: a system bus that accepts the connection and
// never says a word (not even in the authentication), and config paths that are not regular files
// (a FIFO with no writer, /dev/zero, a directory) or are too large: exit 78, one line, at once.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdirSync, truncateSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {before, describe, test} from 'node:test'
import {cleanEnv, ensureBuilt, runCli, withTempDir} from '../../support/spawn.js'

before(() => ensureBuilt())

describe('bounded in time', () => {
  test('status with a bus that accepts and stays silent exits within its D-Bus timeout', async () => {
    await withTempDir(async (dir) => {
      const sock = join(dir, 'bus')
      const held: Array<import('node:net').Socket> = []
      const server = createServer((s) => { held.push(s); s.on('error', () => {}) })
      await new Promise<void>((resolve) => server.listen(sock, resolve))
      try {
        const c = join(dir, 'c.toml')
        writeFileSync(c, `[wan]\ninterface = "hat-h2-none"\ndbus_timeout_ms = 500\n[state]\ndir = "${join(dir, 'state')}"\n[keepalived]\ndbus = true\n`)
        const started = performance.now()
        const r = await runCli(['status', '--config', c, '--json'], {env: cleanEnv({DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${sock}`}), timeoutMs: 30_000})
        const ms = performance.now() - started
        assert.equal(r.signal, null, `killed by the test's timeout after ${ms} ms: status hung on the silent bus`)
        assert.ok(held.length > 0, 'status did connect to the silent bus (else this proves nothing)')
        assert.ok(ms < 10_000, `status took ${ms} ms`)
      } finally {
        for (const s of held) s.destroy()
        server.close()
      }
    })
  })
})

describe('config paths that are not regular files', () => {
  for (const [what, make] of [
    ['a FIFO with no writer', (dir: string) => { const p = join(dir, 'fifo'); execFileSync('mkfifo', [p]); return p }],
    ['/dev/zero', () => '/dev/zero'],
    ['a directory', (dir: string) => { const p = join(dir, 'd'); mkdirSync(p); return p }],
    ['a 2 MiB file', (dir: string) => { const p = join(dir, 'big.toml'); writeFileSync(p, ''); truncateSync(p, 2 * 1024 * 1024); return p }],
  ] as const) {
    test(`${what}: exit 78 with one line naming it, for notify, check, status and config validate`, async () => {
      await withTempDir(async (dir) => {
        const path = make(dir)
        for (const args of [['notify', 'backup'], ['check'], ['status'], ['config', 'validate']]) {
          const r = await runCli([...args, '--config', path], {timeoutMs: 15_000})
          assert.equal(r.signal, null, `${args.join(' ')} on ${what}: hung`)
          assert.equal(r.code, 78, `${args.join(' ')} on ${what}: ${r.stdout}${r.stderr}`)
          const lines = r.stderr.trim().split('\n')
          assert.equal(lines.length, 1, r.stderr)
          assert.match(lines[0], new RegExp(`${path.replace(/[/.]/g, '\\$&')}: (not a regular file|is a directory|\\d+ bytes, more than)`))
        }
      })
    })
  }
})
