// scripts/install into a temp destdir: owners and modes, what is (not) copied, the config skeleton
// kept on reinstall, uninstall; and a real keepalived with enable_script_security running the
// installed binary (and refusing it once a directory on its path is group-writable).
import assert from 'node:assert/strict'
import {chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {before, describe, test} from 'node:test'
import {cleanEnv, ensureBuilt, hasProgram, ROOT, run, withTempDir} from '../../support/spawn.js'
import {netnsSkipReason, startIn, waitFor, withNetns} from './netns.js'

const INSTALL = join(ROOT, 'scripts/install')
const UNINSTALL = join(ROOT, 'scripts/uninstall')

before(() => ensureBuilt())

async function install(destdir: string, ...args: string[]) {
  const r = await run([INSTALL, '--destdir', destdir, '--no-build', ...args], {env: cleanEnv(), timeoutMs: 120_000})
  assert.equal(r.code, 0, `install failed: ${r.stderr}`)
  return r
}

/** Every path under dir (lstat, not following symlinks). */
function walk(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
    const p = join(dir, e.name)
    return e.isDirectory() ? [p, ...walk(p)] : [p]
  })
}

const mode = (p: string) => (lstatSync(p).mode & 0o7777).toString(8).padStart(4, '0')

describe('scripts/install --destdir', {skip: process.getuid?.() !== 0 ? 'install needs root (files owned by root)' : false}, () => {
  test('lays out the program root-owned, with nothing writable by group or others', async () => {
    await withTempDir(async (d) => {
      await install(d)
      assert.equal(readlinkSync(join(d, 'usr/sbin/ha-tool')), '../lib/ha-tool/bin/run.js')
      assert.equal(mode(join(d, 'usr/lib/ha-tool')), '0755')
      assert.equal(mode(join(d, 'usr/lib/ha-tool/bin/run.js')), '0755')
      // The interpreter by absolute path, not `#!/usr/bin/env node` (whatever node PATH finds first).
      const shebang = readFileSync(join(d, 'usr/lib/ha-tool/bin/run.js'), 'utf8').split('\n')[0]
      assert.match(shebang, /^#!\/\S*node$/)
      assert.ok(existsSync(shebang.slice(2)), shebang)
      assert.equal(mode(join(d, 'usr/lib/ha-tool/dnsmasq-script')), '0755')
      assert.equal(mode(join(d, 'usr/lib/systemd/system/ha-tool-daemon.service')), '0644')
      assert.equal(mode(join(d, 'usr/lib/tmpfiles.d/ha-tool.conf')), '0644')
      assert.equal(mode(join(d, 'etc/ha-tool')), '0755')
      assert.equal(mode(join(d, 'etc/ha-tool/config.toml')), '0644')
      const everything = [join(d, 'usr'), join(d, 'etc'), ...walk(join(d, 'usr')), ...walk(join(d, 'etc'))]
      const bad = everything.filter((p) => {
        const s = lstatSync(p)
        return s.uid !== 0 || s.gid !== 0 || (!s.isSymbolicLink() && (s.mode & 0o022) !== 0)
      })
      assert.deepEqual(bad, [])
      assert.match(readFileSync(join(d, 'usr/lib/tmpfiles.d/ha-tool.conf'), 'utf8'), /^d \/run\/ha-tool 0755 root root -$/m)
      assert.match(readFileSync(join(d, 'usr/lib/systemd/system/ha-tool-daemon.service'), 'utf8'), /^ExecStart=\/usr\/sbin\/ha-tool daemon$/m)
      // Production dependencies only.
      const modules = readdirSync(join(d, 'usr/lib/ha-tool/node_modules'))
      for (const dep of ['@oclif', 'dbus-next', 'pino', 'smol-toml']) assert.ok(modules.includes(dep), `missing ${dep}`)
      for (const dev of ['typescript', 'esbuild', 'eslint', 'tsx']) assert.ok(!modules.includes(dev), `dev dependency ${dev} installed`)
    })
  })

  test('the installed command runs, and its config skeleton is valid', async () => {
    await withTempDir(async (d) => {
      await install(d)
      const bin = join(d, 'usr/sbin/ha-tool')
      const v = await run([bin, 'config', 'validate', join(d, 'etc/ha-tool/config.toml')], {env: cleanEnv()})
      assert.equal(v.code, 0, v.stderr)
      const ex = await run([bin, 'config', 'example', 'keepalived', '--config', join(d, 'etc/ha-tool/config.toml')], {env: cleanEnv()})
      assert.equal(ex.code, 0, ex.stderr)
      assert.match(ex.stdout, /enable_script_security/)
      // The hot bundles come with their code caches (scripts/train-code-cache.mjs), and V8 takes them:
      // the first run, with an empty cache directory, writes none of its own.
      const hot = readdirSync(join(d, 'usr/lib/ha-tool/dist/hot'))
      for (const b of ['check', 'notify', 'leases']) assert.ok(hot.some((f) => f.startsWith(`${b}.`) && f.endsWith('.v8')), `no code cache for ${b}: ${hot.join(' ')}`)
      const leases = join(d, 'a.leases')
      writeFileSync(leases, '0 52:54:00:00:00:01 192.168.1.50 host1 *\n')
      const cacheDir = join(d, 'cache')
      mkdirSync(cacheDir, {mode: 0o700})
      const m = await run([bin, 'leases', 'merge', leases], {env: cleanEnv({HA_TOOL_CACHE_DIR: cacheDir})})
      assert.equal(m.code, 0, m.stderr)
      assert.deepEqual(readdirSync(cacheDir), [], 'the installed code cache was taken: nothing compiled, nothing written')
    })
  })

  test('a reinstall keeps an existing config; state.dir comes from it for tmpfiles.d', async () => {
    await withTempDir(async (d) => {
      await install(d)
      const cfg = join(d, 'etc/ha-tool/config.toml')
      writeFileSync(cfg, '[wan]\ninterface = "wan9"\n[state]\ndir = "/run/ha-tool-x"\n')
      const r = await install(d)
      assert.match(r.stdout, /kept the existing \/etc\/ha-tool\/config\.toml/)
      assert.equal(readFileSync(cfg, 'utf8'), '[wan]\ninterface = "wan9"\n[state]\ndir = "/run/ha-tool-x"\n')
      assert.match(readFileSync(join(d, 'usr/lib/tmpfiles.d/ha-tool.conf'), 'utf8'), /^d \/run\/ha-tool-x 0755 root root -$/m)
      assert.equal(readdirSync(join(d, 'usr/lib')).filter((n) => n.startsWith('.ha-tool')).length, 0, 'no staging directory left behind')
    })
  })

  test('uninstall removes the program and keeps the config; --purge removes it too', async () => {
    await withTempDir(async (d) => {
      await install(d)
      const r = await run([UNINSTALL, '--destdir', d], {env: cleanEnv()})
      assert.equal(r.code, 0, r.stderr)
      for (const p of ['usr/lib/ha-tool', 'usr/sbin/ha-tool', 'usr/lib/systemd/system/ha-tool-daemon.service', 'usr/lib/tmpfiles.d/ha-tool.conf']) assert.ok(!existsSync(join(d, p)), `${p} left behind`)
      assert.ok(existsSync(join(d, 'etc/ha-tool/config.toml')))
      assert.equal((await run([UNINSTALL, '--destdir', d, '--purge'], {env: cleanEnv()})).code, 0)
      assert.ok(!existsSync(join(d, 'etc/ha-tool')))
    })
  })

  test('doctor on the installed tree: binary-security passes, and fails once /usr is group-writable', async () => {
    await withTempDir(async (d) => {
      await install(d)
      const doctor = async () => {
        const r = await run([join(d, 'usr/sbin/ha-tool'), 'doctor', '--root', d, '--json'], {env: cleanEnv()})
        return (JSON.parse(r.stdout) as {checks: Array<{id: string; status: string; detail: string; fix?: string}>}).checks.find((c) => c.id === 'binary-security')!
      }
      assert.equal((await doctor()).status, 'pass')
      chownSync(join(d, 'usr'), 0, 50)
      chmodSync(join(d, 'usr'), 0o2775)
      const c = await doctor()
      assert.equal(c.status, 'fail')
      assert.match(c.detail, /\/usr: group-writable \(mode 2775, gid 50\)/)
    })
  })

  test('a real keepalived with enable_script_security runs the installed binary, and refuses it on an unsafe path', async (t) => {
    const why = netnsSkipReason() ?? (hasProgram('keepalived') ? undefined : 'keepalived is not installed (scripts/install-system-deps)')
    if (why) { t.skip(why); return }
    await withTempDir(async (d) => {
      await install(d)
      const conf = join(d, 'keepalived.conf')
      writeFileSync(conf, [
        'global_defs {', '  enable_script_security', '  script_user root', '}',
        'vrrp_script ha_tool_check {',
        `  script "${d}/usr/sbin/ha-tool config validate ${d}/etc/ha-tool/config.toml"`,
        '  interval 1', '  timeout 10', '}',
        'vrrp_instance VI_1 {', '  state BACKUP', '  interface lan0', '  virtual_router_id 51', '  priority 100', '  advert_int 1',
        '  virtual_ipaddress {', '    192.0.2.1/32', '  }', '  track_script {', '    ha_tool_check', '  }', '}', '',
      ].join('\n'))
      const runKeepalived = (ns: string) => startIn(ns, ['keepalived', '-n', '-l', '-D', '-f', conf, '-p', join(d, 'k.pid'), '-r', join(d, 'v.pid'), '-c', join(d, 'c.pid')])
      await withNetns('inst', ['lan0'], async (ns) => {
        const ok = runKeepalived(ns)
        try {
          await waitFor('keepalived to run the track script', () => /VRRP_Script\(ha_tool_check\) succeeded|Unsafe permissions/.test(ok.output()), 15_000)
        } finally {
          await ok.stop()
        }
        assert.match(ok.output(), /VRRP_Script\(ha_tool_check\) succeeded/)
        assert.doesNotMatch(ok.output(), /Unsafe permissions|SECURITY VIOLATION/)

        // The Debian /usr/local trap, planted on the symlink target's chain.
        chownSync(join(d, 'usr/lib/ha-tool'), 0, 50)
        chmodSync(join(d, 'usr/lib/ha-tool'), 0o2775)
        const refused = runKeepalived(ns)
        try {
          await waitFor('keepalived to judge the track script', () => /Unsafe permissions|succeeded/.test(refused.output()), 15_000)
        } finally {
          await refused.stop()
        }
        assert.match(refused.output(), /Unsafe permissions found for script .*ha-tool.* - disabling/)
      })
    })
  })
})
