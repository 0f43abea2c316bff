// `npm run package` end to end (issue 17): the single executable runs with nothing else there;
// lintian finds no errors in the .deb; `dpkg -i` installs it into the real /usr and /etc, where
// keepalived -t accepts `ha-tool config example keepalived` and a real keepalived with
// enable_script_security runs the installed binary; an upgrade keeps an edited conffile and
// restarts the daemon only when it was running; `dpkg --purge` leaves nothing behind. The CLI
// tests run once more against the single executable alone (HA_TOOL_BIN).
//
// It installs into the real system, so it runs only under the machine-wide lock like every
// integration test (flock /tmp/hat-ns.lock), never when a ha-tool not from this package is
// installed here, and purges in a finally. There is no systemd as PID 1 in CI containers: the
// upgrade test runs dpkg in a private mount namespace where /run/systemd/system exists and
// systemctl is a stand-in that records what it was asked (deb-systemd-helper and
// deb-systemd-invoke are the real ones), so nothing outside that namespace changes.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, normalize, relative} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {netnsSkipReason, startIn, waitFor, withNetns} from '../operate/netns.js'
import {cleanEnv, ensureBuilt, hasProgram, ROOT, run, withTempDir} from '../../support/spawn.js'
import {labSkipReason, withLab} from '../../e2e/lab.js'

const OUT = join(ROOT, 'dist/package')
const UNIT_LINK = '/etc/systemd/system/multi-user.target.wants/ha-tool-daemon.service'
const sh = (argv: string[], input?: string) => spawnSync(argv[0], argv.slice(1), {encoding: 'utf8', input, env: cleanEnv()})
/** Files below dir, as paths relative to it. */
const filesUnder = (dir: string): string[] => readdirSync(dir, {recursive: true, withFileTypes: true}).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath ?? e.path, e.name))).sort()
const installedHere = () => sh(['dpkg-query', '-W', '-f=${Status}', 'ha-tool']).stdout.includes('installed')

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (dpkg -i into the real system)'
  for (const p of ['dpkg-deb', 'dpkg-shlibdeps', 'strip']) if (!hasProgram(p)) return `${p} is not installed (scripts/install-system-deps)`
  if (!existsSync(join(ROOT, 'node_modules/.bin/postject'))) return 'postject is not installed (npm ci)'
  if (installedHere()) return 'a ha-tool package is already installed on this machine: not touching it'
  for (const p of ['/usr/sbin/ha-tool', '/usr/lib/ha-tool', '/etc/ha-tool']) if (existsSync(p)) return `${p} exists (a scripts/install copy?): not touching it`
  return undefined
}
const skip = skipReason()
if (skip) console.log(`# SKIP packaging tests: ${skip}`)

let sea = ''
let deb = ''
let version = ''

describe('npm run package', {skip, timeout: 600_000}, () => {
  before(async () => {
    ensureBuilt()
    // Builds dist/ too, so --version names the commit checked out now.
    const r = await run([process.execPath, join(ROOT, 'scripts/package.mjs')], {env: cleanEnv({HA_TOOL_DEB_COMPRESS: 'gzip'}), timeoutMs: 400_000})
    assert.equal(r.code, 0, r.stderr)
    const files = readdirSync(OUT)
    sea = join(OUT, files.find((f) => /^ha-tool-linux-[a-z0-9]+$/.test(f))!)
    deb = join(OUT, files.find((f) => f.endsWith('.deb'))!)
    version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string
  })

  test('the single executable runs alone: no node on PATH, no node_modules, no network, any directory', async () => {
    const commit = sh(['git', '-C', ROOT, 'rev-parse', '--short=12', 'HEAD']).stdout.trim()
    await withTempDir(async (dir) => {
      const bin = join(dir, 'ha-tool')
      copyFileSync(sea, bin)
      spawnSync('chmod', ['755', bin])
      // A network namespace of its own with nothing in it, PATH without node, cwd without node_modules.
      const unshare = sh(['sh', '-c', 'command -v unshare']).stdout.trim()
      const alone = (args: string[], env: Record<string, string> = {}) => run([unshare, '-n', bin, ...args], {cwd: dir, env: {PATH: '/nonexistent', HA_TOOL_CONFIG: join(dir, 'none.toml'), ...env}})
      const v = await alone(['--version'])
      assert.equal(v.code, 0, v.stderr)
      assert.match(v.stdout, new RegExp(`^ha-tool/${version.replaceAll('.', '\\.')}\\+g${commit}(-dirty)? linux-`))
      const ex = await alone(['config', 'example', 'keepalived'])
      assert.equal(ex.code, 0, ex.stderr)
      assert.match(ex.stdout, /enable_script_security/)
      assert.equal(ex.stderr, '', 'no warnings (e.g. the SEA require() warning)')
      const help = await alone(['leases', 'merge', '--help'])
      assert.match(help.stdout, /USAGE\n {2}\$ ha-tool leases merge FILES/)
      const bad = await alone(['nonsense'])
      assert.equal(bad.code, 2)
      assert.match(bad.stderr, /unknown command "nonsense"/)
      // Each bundle runs from the V8 code cache inside the executable (made at build time): the first run after a
      // boot compiles no more than later ones. An executable whose caches V8 rejects says "rejected" here.
      for (const [args, bundle] of [[['--version'], 'oclif'], [['check', '--target', '127.0.0.1'], 'hot-check'], [['leases', 'merge', join(dir, 'none.leases')], 'hot-leases'], [['notify', 'INSTANCE', 'VI_1', 'MASTER', '100'], 'hot-notify']] as const) {
        const r = await alone([...args], {HA_TOOL_SEA_CACHE_REPORT: '1'})
        assert.match(r.stderr, new RegExp(`^ha-tool sea: ${bundle} code cache accepted$`, 'm'), `${args.join(' ')}: ${r.stderr}`)
        assert.doesNotMatch(r.stderr, /code cache (rejected|absent)/, `${args.join(' ')}: ${r.stderr}`)
      }
    })
  })

  test('the CLI tests pass against the single executable alone (HA_TOOL_BIN)', async () => {
    await withTempDir(async (dir) => {
      const bin = join(dir, 'ha-tool')
      copyFileSync(sea, bin)
      spawnSync('chmod', ['755', bin])
      const files = ['test/integration/cli/commands.test.ts', 'test/integration/cli/unknown-command.test.ts', 'test/integration/leases/cli.test.ts'].map((f) => join(ROOT, f))
      const r = await run([process.execPath, '--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=dot', ...files], {cwd: ROOT, env: cleanEnv({HA_TOOL_BIN: bin}), timeoutMs: 300_000})
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`)
    })
  })

  test('the .deb: control, layout, modes, conffile; lintian finds no errors', async (t) => {
    const field = (f: string) => sh(['dpkg-deb', '-f', deb, f]).stdout.trim()
    assert.equal(field('Package'), 'ha-tool')
    assert.equal(field('Version'), version)
    assert.match(field('Depends'), /libc6/)
    const list = sh(['dpkg-deb', '-c', deb]).stdout
    const entries = new Map(list.trim().split('\n').map((l) => { const c = l.split(/\s+/); return [c[5].replace(/^\./, ''), {mode: c[0], owner: c[1]}] }))
    for (const [p, mode] of [
      ['/usr/sbin/ha-tool', '-rwxr-xr-x'], ['/usr/lib/ha-tool/dnsmasq-script', '-rwxr-xr-x'],
      ['/usr/lib/systemd/system/ha-tool-daemon.service', '-rw-r--r--'], ['/usr/lib/tmpfiles.d/ha-tool.conf', '-rw-r--r--'],
      ['/etc/ha-tool/config.toml', '-rw-r--r--'], ['/usr/share/man/man8/ha-tool.8.gz', '-rw-r--r--'],
      ['/usr/share/bash-completion/completions/ha-tool', '-rw-r--r--'], ['/usr/share/doc/ha-tool/copyright', '-rw-r--r--'],
    ]) {
      assert.equal(entries.get(p)?.mode, mode, `${p}: ${JSON.stringify(entries.get(p))}`)
      assert.equal(entries.get(p)?.owner, 'root/root', p)
    }
    // The documentation and the JSON Schemas, every file of the checkout's docs/ and schemas/.
    const docs = filesUnder(join(ROOT, 'docs')).map((f) => [`/usr/share/doc/ha-tool/docs/${f}`, '-rw-r--r--'])
    const schemas = filesUnder(join(ROOT, 'schemas')).map((f) => [`/usr/share/ha-tool/schemas/${f}`, '-rw-r--r--'])
    assert.ok(docs.length > 10 && schemas.length > 10, `${docs.length} docs, ${schemas.length} schemas in the checkout`)
    for (const [p, mode] of [['/usr/share/doc/ha-tool/README.md', '-rw-r--r--'], ...docs, ...schemas]) {
      assert.equal(entries.get(p)?.mode, mode, `${p}: ${JSON.stringify(entries.get(p))}`)
      assert.equal(entries.get(p)?.owner, 'root/root', p)
    }
    assert.match(list, / \.\/usr\/share\/doc\/ha-tool\/schemas -> \.\.\/\.\.\/ha-tool\/schemas$/m, 'the docs reach the schemas as ../schemas/')
    const guard = existsSync(join(ROOT, 'scripts/packaging/keepalived.service.d/ha-tool-guard.conf'))
    assert.equal(entries.has('/usr/lib/systemd/system/keepalived.service.d/ha-tool-guard.conf'), guard, 'the keepalived guard drop-in is shipped exactly when the tree has it')
    assert.ok(![...entries.keys()].some((p) => p.startsWith('/usr/local')), 'nothing under /usr/local')
    assert.equal(sh(['dpkg-deb', '--ctrl-tarfile', deb]).status, 0)
    const ctrl = sh(['sh', '-c', `dpkg-deb --info ${deb} conffiles`]).stdout
    assert.equal(ctrl.trim(), '/etc/ha-tool/config.toml')
    if (!hasProgram('lintian')) { t.skip('lintian is not installed (scripts/install-system-deps): the lintian check did not run'); return }
    const l = sh(['lintian', '--fail-on', 'error', deb])
    assert.equal(l.status, 0, `${l.stdout}${l.stderr}`)
    assert.doesNotMatch(l.stdout, /^E: /m, l.stdout)
  })

  describe('installed with dpkg', () => {
    const runDirBefore = existsSync('/run/ha-tool') ? statSync('/run/ha-tool').mode & 0o7777 : undefined
    let installed = false
    const dpkg = async (args: string[], systemd?: {dir: string}) => {
      const argv = systemd ? ['unshare', '-m', 'sh', '-c', [
        'set -e', 'mount -t tmpfs tmpfs /run/systemd', 'mkdir /run/systemd/system',
        `mount --bind ${systemd.dir}/systemctl /usr/bin/systemctl`,
        `mount --bind ${systemd.dir}/policy-rc.d /usr/sbin/policy-rc.d`,
        `exec dpkg ${args.join(' ')}`,
      ].join('\n')] : ['dpkg', ...args]
      const r = await run(argv, {env: cleanEnv({DEBIAN_FRONTEND: 'noninteractive'}), timeoutMs: 180_000})
      assert.equal(r.code, 0, `dpkg ${args.join(' ')}: ${r.stdout}${r.stderr}`)
      return r
    }
    const purge = async () => {
      if (!installedHere() && !existsSync('/etc/ha-tool')) return
      await dpkg(['--purge', 'ha-tool'])
    }
    after(async () => {
      try {
        if (installed) await purge()
      } finally {
        // /run/ha-tool is also where bin/run.js keeps its code caches: put the directory back as it was.
        if (runDirBefore !== undefined && !existsSync('/run/ha-tool')) mkdirSync('/run/ha-tool', {mode: runDirBefore})
      }
    })

    test('dpkg -i: --version, keepalived -t on `config example keepalived`, script security for a real keepalived', async (t) => {
      installed = true
      await dpkg(['-i', deb])
      const v = await run(['/usr/sbin/ha-tool', '--version'], {env: cleanEnv()})
      assert.equal(v.code, 0, v.stderr)
      assert.match(v.stdout, new RegExp(`^ha-tool/${version.replaceAll('.', '\\.')}\\+g`))
      assert.ok(lstatSync(UNIT_LINK).isSymbolicLink(), 'enabled on first install')
      assert.equal(readFileSync('/usr/lib/ha-tool/dnsmasq-script', 'utf8').includes('exec /usr/sbin/ha-tool leases hook "$@"'), true)
      const man = sh(['man', '-l', '--warnings', '/usr/share/man/man8/ha-tool.8.gz'])
      assert.equal(man.status, 0)
      assert.match(man.stdout, /ha-tool leases merge/)
      assert.match(man.stdout, /\/usr\/share\/doc\/ha-tool/)
      // Installed docs: the same bytes as the checkout's; every relative link between the pages leads to an
      // installed file, and every docs/<page>.md or schemas/<file>.json the commands' help names (commands.md
      // is generated from it) is there under /usr/share/doc/ha-tool.
      const DOC = '/usr/share/doc/ha-tool'
      for (const f of filesUnder(join(ROOT, 'docs'))) assert.equal(readFileSync(join(DOC, 'docs', f), 'utf8'), readFileSync(join(ROOT, 'docs', f), 'utf8'), f)
      for (const f of filesUnder(join(ROOT, 'schemas'))) assert.equal(readFileSync(join(DOC, 'schemas', f), 'utf8'), readFileSync(join(ROOT, 'schemas', f), 'utf8'), f)
      const broken: string[] = []
      let linksSeen = 0
      for (const page of ['README.md', ...filesUnder(join(DOC, 'docs')).map((f) => `docs/${f}`)].filter((p) => p.endsWith('.md'))) {
        const text = readFileSync(join(DOC, page), 'utf8').replace(/```[\s\S]*?```/g, '')
        for (const [, link] of text.replace(/`[^`\n]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
          if (/^[a-z]+:/i.test(link) || link.startsWith('#')) continue
          linksSeen++
          if (!existsSync(normalize(join(DOC, dirname(page), link.split('#')[0])))) broken.push(`${page}: ${link}`)
        }
      }
      const named = [...readFileSync(join(DOC, 'docs/commands.md'), 'utf8').matchAll(/\b((?:docs|schemas)\/[\w.-]+\.(?:md|json))\b/g)].map((m) => m[1])
      assert.ok(linksSeen > 40 && named.length > 5, `${linksSeen} links, ${named.length} paths named in the help`)
      for (const p of named) if (!existsSync(join(DOC, p))) broken.push(`commands.md (--help) names ${p}`)
      assert.deepEqual(broken, [])
      if (!hasProgram('keepalived')) { t.skip('keepalived is not installed (scripts/install-system-deps)'); return }
      const why = netnsSkipReason()
      if (why) { t.skip(`keepalived -t and the running keepalived: ${why}`); return }
      await withTempDir(async (dir) => {
        // The example for this node's links, as the installed binary prints it (it calls /usr/sbin/ha-tool).
        const config = join(dir, 'config.toml')
        writeFileSync(config, ['[wan]', 'interface = "wan0"', '[lan]', 'interface = "lan0"', 'address = "192.168.1.1/24"', '[sync]', 'interface = "sync0"', 'address = "192.168.190.1/29"', '[state]', `dir = "${dir}/state"`, ''].join('\n'))
        // Both modes; in script mode keepalived's notify scripts are the installed binary.
        const confs: string[] = []
        for (const mode of ['fifo', 'script']) {
          const ex = await run(['/usr/sbin/ha-tool', 'config', 'example', 'keepalived', '--mode', mode, '--config', config], {env: cleanEnv()})
          assert.equal(ex.code, 0, ex.stderr)
          if (mode === 'script') assert.match(ex.stdout, /"\/usr\/sbin\/ha-tool notify/)
          const conf = join(dir, `keepalived-${mode}.conf`)
          writeFileSync(conf, ex.stdout)
          confs.push(conf)
        }
        // A real keepalived with script security runs the installed binary as its track script.
        const running = join(dir, 'running.conf')
        writeFileSync(running, [
          'global_defs {', '  enable_script_security', '  script_user root', '}',
          'vrrp_script ha_tool_check {', '  script "/usr/sbin/ha-tool config validate /etc/ha-tool/config.toml"', '  interval 1', '  timeout 10', '}',
          'vrrp_instance VI_1 {', '  state BACKUP', '  interface lan0', '  virtual_router_id 51', '  priority 100', '  advert_int 1',
          '  virtual_ipaddress {', '    192.0.2.1/32', '  }', '  track_script {', '    ha_tool_check', '  }', '}', '',
        ].join('\n'))
        await withNetns('pkg', ['lan0', 'wan0'], async (ns) => {
          for (const conf of confs) {
            const check = await run(['ip', 'netns', 'exec', ns, 'keepalived', '-t', '-l', '-f', conf], {env: cleanEnv()})
            assert.equal(check.code, 0, `keepalived -t ${conf}: ${check.stdout}${check.stderr}`)
          }
          const k = startIn(ns, ['keepalived', '-n', '-l', '-D', '-f', running, '-p', join(dir, 'k.pid'), '-r', join(dir, 'v.pid'), '-c', join(dir, 'c.pid')])
          try {
            await waitFor('keepalived to run the installed binary', () => /VRRP_Script\(ha_tool_check\) succeeded|Unsafe permissions|SECURITY VIOLATION/.test(k.output()), 15_000)
          } finally {
            await k.stop()
          }
          assert.match(k.output(), /VRRP_Script\(ha_tool_check\) succeeded/)
          assert.doesNotMatch(k.output(), /Unsafe permissions|SECURITY VIOLATION/)
        })
      })
    })

    test('one end-to-end failover through the installed binary: the lab\'s keepalived runs /usr/sbin/ha-tool, kill -9, the drop-in cleans up', {timeout: 180_000}, async (t) => {
      assert.ok(installedHere(), 'installed by the test before')
      const why = labSkipReason()
      if (why) { t.skip(`the lab cannot run here: ${why}`); return }
      // notify mode: keepalived spawns the package's executable for every transition (script security on its
      // real path), and after a kill -9 the package's keepalived.service drop-in runs its ExecStopPost= command
      await withLab({mode: 'notify', bin: '/usr/sbin/ha-tool', tcpLoose: 0, conntrackd: true, keepalivedGuard: true}, async (lab) => {
        assert.equal(lab.bin(), '/usr/sbin/ha-tool')
        const conf = readFileSync(lab.paths('gw1').keepalivedConf, 'utf8')
        assert.match(conf, /notify "\/usr\/sbin\/ha-tool notify --config /, 'keepalived.conf (from the installed `config example`) calls the installed binary')
        const r = await lab.failover('kill', {settleMs: 1500, lease: false})
        t.diagnostic(`kill -9 ${r.from}->${r.to}: outage ${r.outageMs} ms, old rule gone ${r.oldRuleRemovedMs} ms, VIP released ${r.oldVipReleasedMs} ms, TCP ${r.tcpSurvived}`)
        assert.equal(r.tookOver, true, 'the peer took over')
        assert.equal(r.recovered, true, 'the client reaches the internet host again')
        assert.equal(r.tcpSurvived, true, `the TCP stream survived (${r.tcpError ?? ''})`)
        assert.deepEqual(r.splitBrain.windows, [], 'never two nodes on the WAN')
        const dead = lab.view(r.from)
        assert.deepEqual([dead.vip, dead.wanRule], [false, false], 'the drop-in\'s command (the installed binary) released VIP and rule')
        const state = JSON.parse(readFileSync(join(lab.paths(r.to).stateDir, 'state.json'), 'utf8')) as {role: string}
        assert.equal(state.role, 'MASTER', 'the installed binary converged the new MASTER')
      })
    })

    test('upgrade: an edited conffile survives; the daemon is restarted only when it was running', async () => {
      assert.ok(installedHere(), 'installed by the test before')
      const edited = `${readFileSync('/etc/ha-tool/config.toml', 'utf8')}\n# edited by the administrator\n`
      writeFileSync('/etc/ha-tool/config.toml', edited)
      await withTempDir(async (dir) => {
        const log = join(dir, 'systemctl.log')
        const running = join(dir, 'running')
        writeFileSync(join(dir, 'systemctl'), `#!/bin/sh\necho "$*" >> ${log}\ncase "$*" in\n  *is-active*) [ -e ${running} ] && exit 0; exit 3 ;;\n  *try-restart*) [ -e ${running} ] && echo RESTARTED >> ${log}; exit 0 ;;\nesac\nexit 0\n`, {mode: 0o755})
        writeFileSync(join(dir, 'policy-rc.d'), '#!/bin/sh\nexit 0\n', {mode: 0o755})
        // N+1: the same program under a higher version (what an upgrade changes is the package).
        const next = join(dir, `ha-tool_${version}+1_test.deb`)
        const b = await run(['bash', join(ROOT, 'scripts/packaging/build-deb'), '--out', dir, '--sea', sea, '--version', `${version}+1`, '--arch', sh(['dpkg', '--print-architecture']).stdout.trim()], {env: cleanEnv({HA_TOOL_DEB_COMPRESS: 'gzip'}), timeoutMs: 120_000})
        assert.equal(b.code, 0, b.stderr)
        const built = readdirSync(dir).find((f) => f.endsWith('.deb'))!
        rmSync(next, {force: true})
        // Stopped daemon: upgrade, no restart, no start.
        await dpkg(['-i', join(dir, built)], {dir})
        assert.equal(readFileSync('/etc/ha-tool/config.toml', 'utf8'), edited, 'the edit survived the upgrade')
        assert.equal(sh(['dpkg-query', '-W', '-f=${Version}', 'ha-tool']).stdout, `${version}+1`)
        let calls = readFileSync(log, 'utf8')
        assert.match(calls, /try-restart ha-tool-daemon\.service/, calls)
        assert.doesNotMatch(calls, /RESTARTED|(^|\s)start /m, calls)
        // Running daemon: reinstalling over it (an upgrade as far as the scripts go) restarts it.
        writeFileSync(log, '')
        writeFileSync(running, '')
        await dpkg(['-i', join(dir, built)], {dir})
        calls = readFileSync(log, 'utf8')
        assert.match(calls, /RESTARTED/, calls)
        assert.doesNotMatch(calls, /(^|\s)start /m, calls)
        assert.equal(readFileSync('/etc/ha-tool/config.toml', 'utf8'), edited)
      })
    })

    test('dpkg --purge leaves nothing of the package', async () => {
      const files = sh(['dpkg-query', '-L', 'ha-tool']).stdout.trim().split('\n').filter((p) => p.startsWith('/') && !['/', '/.', '/etc', '/usr', '/usr/lib', '/usr/sbin', '/usr/share', '/usr/share/doc', '/usr/share/man', '/usr/share/man/man8', '/usr/lib/systemd', '/usr/lib/systemd/system', '/usr/lib/tmpfiles.d', '/usr/share/bash-completion', '/usr/share/bash-completion/completions', '/usr/share/lintian', '/usr/share/lintian/overrides'].includes(p))
      assert.ok(files.includes('/usr/sbin/ha-tool'))
      mkdirSync('/var/lib/ha-tool/lease-queue', {recursive: true})
      await purge()
      installed = false
      assert.ok(!installedHere())
      assert.equal(sh(['dpkg-query', '-W', '-f=${Status}', 'ha-tool']).stdout.includes('config-files'), false)
      const left = [...files, '/etc/ha-tool', '/etc/systemd/system/ha-tool-daemon.service', '/run/ha-tool', '/var/lib/ha-tool', UNIT_LINK, '/var/lib/systemd/deb-systemd-helper-enabled/ha-tool-daemon.service.dsh-also', '/var/lib/systemd/deb-systemd-helper-masked/ha-tool-daemon.service'].filter((p) => lstatSync(p, {throwIfNoEntry: false}) !== undefined)
      // The guard drop-in's directory may hold other packages' drop-ins; only ours must be gone.
      assert.deepEqual(left.filter((p) => p !== '/usr/lib/systemd/system/keepalived.service.d' || readdirSync(p).includes('ha-tool-guard.conf')), [])
    })
  })
})
