// Every command's --json, success and error, through the real CLI (bin/run.js, stdin closed), validated
// against schemas/ (test/support/json-contract.ts). Commands whose success needs namespaces or real daemons
// (notify, resync, leases sync/hook, doctor on a crafted tree) are validated where those tests run them:
// the spawn helpers check every --json they see.
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {assertJsonContract} from '../../support/json-contract.js'
import {cleanEnv, ensureBuilt, hasProgram, ROOT, run, runCli, withTempDir} from '../../support/spawn.js'

const COMMANDS = Object.keys((JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: object}).commands)

function config(dir: string): string {
  const file = join(dir, 'c.toml')
  writeFileSync(file, [
    '[wan]', 'interface = "hatnone0"', '[keepalived]', 'dbus = false', `[state]`, `dir = "${join(dir, 'state')}"`,
    '[dnsmasq]', `leases = "${join(dir, 'dnsmasq.leases')}"`, `queue_dir = "${join(dir, 'queue')}"`, '',
  ].join('\n'))
  return file
}

describe('--json contracts through the real CLI', () => {
  it('every command\'s error output (missing config, missing arguments) matches its schema, with the exit code in it', async () => {
    ensureBuilt()
    await withTempDir(async (dir) => {
      for (const id of COMMANDS) {
        const r = await runCli([...id.split(':'), '--json', '--config', join(dir, 'missing.toml')], {env: cleanEnv()})
        const out = assertJsonContract(id, r.stdout) as {error?: {exit: number}}
        assert.ok(out.error, `${id}: an error object (exit ${r.code}): ${r.stdout}`)
        assert.equal(out.error.exit, r.code, `${id}: error.exit is the exit code`)
        assert.ok([2, 78].includes(r.code!), `${id}: exit ${r.code}`)
      }
    })
  })

  it('success outputs of the commands that need no namespace', async () => {
    ensureBuilt()
    await withTempDir(async (dir) => {
      const c = config(dir)
      const exp = Math.floor(Date.now() / 1000) + 3600
      const a = join(dir, 'a.leases')
      const b = join(dir, 'b.leases')
      writeFileSync(a, `${exp} 52:54:00:00:00:01 192.168.1.10 host1 01:52:54:00:00:00:01\n`)
      writeFileSync(b, `${exp + 5} 52:54:00:00:00:02 192.168.1.11 * *\n`)
      const ok = async (id: string, args: string[]) => {
        const r = await runCli(args, {env: cleanEnv()})
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
        const out = assertJsonContract(id, r.stdout) as Record<string, unknown>
        assert.ok(!('error' in out), `${id}: success, not an error`)
        return out
      }
      await ok('config:example', ['config', 'example', 'keepalived', '--json', '--config', c])
      await ok('config:show', ['config', 'show', '--json', '--config', c])
      await ok('config:validate', ['config', 'validate', c, '--json'])
      await ok('leases:merge', ['leases', 'merge', a, b, '--json'])
      await ok('leases:merge', ['leases', 'merge', a, b, '-o', join(dir, 'out.leases'), '--json'])
      await ok('leases:show', ['leases', 'show', a, '--json'])
      await ok('leases:receive', ['leases', 'receive', '--json', '--config', c])
      await ok('maintenance:on', ['maintenance', 'on', '--json', '--config', c])
      await ok('maintenance:off', ['maintenance', 'off', '--json', '--config', c])
      await ok('status', ['status', '--json', '--config', c])
      if (hasProgram('ping')) await ok('check', ['check', '--target', '127.0.0.1', '--via', 'main', '--json'])
      // The daemon prints its summary when it stops.
      const d = await run(['timeout', '-s', 'TERM', '1.5', process.execPath, join(ROOT, 'bin/run.js'), 'daemon', '--json', '--config', c], {env: cleanEnv()})
      assert.equal((assertJsonContract('daemon', d.stdout) as {mode: string}).mode, 'service', d.stderr)
    })
  })
})
