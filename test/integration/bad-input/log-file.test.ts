// A log.file that cannot be written never fails or holds up a transition: with log.file on a full
// disk (/dev/full), on a directory, in a directory that cannot be created, or on a FIFO nobody
// reads, `notify MASTER` adds the WAN rule and `notify BACKUP` removes it, each exit 0 and in
// bounded time, and the log lines go to stderr after one line saying why.
import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {canUseNetns, type Netns, withNetns} from '../../support/netns.js'
import {ensureBuilt, withTempDir} from '../../support/spawn.js'

const skip = canUseNetns()

const wanRules = (ns: Netns) => (JSON.parse(ns.ip('-j', 'rule', 'show')) as Array<{priority: number; table: string}>).filter((r) => r.priority === 32770 && r.table === '250').length

describe('a log.file that cannot be written', {skip}, () => {
  it('does not stop or delay notify MASTER and BACKUP; the lines go to stderr', async () => {
    ensureBuilt()
    await withTempDir(async (dir) => withNetns('hat-h2-logfile', (ns) => {
      writeFileSync(join(dir, 'plain'), '')
      mkdirSync(join(dir, 'adir'))
      execFileSync('mkfifo', [join(dir, 'fifo')])
      const cases: Record<string, string> = {
        'full disk': '/dev/full',
        'a directory': join(dir, 'adir'),
        'a directory that cannot be created': join(dir, 'plain', 'sub', 'ha-tool.log'),
        'a FIFO nobody reads': join(dir, 'fifo'),
      }
      for (const [what, file] of Object.entries(cases)) {
        const c = join(dir, 'c.toml')
        writeFileSync(c, `[wan]\ninterface = "wan0"\n[state]\ndir = "${join(dir, 'state')}"\n[keepalived]\ndbus = false\n[log]\nlevel = "info"\nfile = "${file}"\n`)
        for (const [role, rules] of [['MASTER', 1], ['BACKUP', 0]] as const) {
          const started = performance.now()
          // Not ns.run: it keeps stderr only on failure, and stderr is where the lines must go.
          const r = spawnSync('ip', ['netns', 'exec', ns.name, process.execPath, BIN_PATH, 'notify', '--config', c, 'INSTANCE', 'VI_1', role, '100'], {encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe']})
          const ms = performance.now() - started
          assert.equal(r.status, 0, `${what}: notify ${role}: exit ${r.status}: ${r.stderr}`)
          assert.equal(wanRules(ns), rules, `${what}: notify ${role}`)
          assert.ok(ms < 5000, `${what}: notify ${role} took ${ms} ms`)
          assert.match(r.stderr, new RegExp(`log.file ${file.replace(/[/.]/g, '\\$&')}: .*logging to stderr instead`), `${what}: ${r.stderr}`)
          assert.match(r.stderr, /"msg":"transition (plan|done)"/, `${what}: the transition's own lines reach stderr`)
        }
      }
    }, {wan: {}}))
  })
})

const BIN_PATH = new URL('../../../bin/run.js', import.meta.url).pathname
