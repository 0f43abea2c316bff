// keepalived.service's guard (scripts/packaging/keepalived.service.d/ha-tool-guard.conf): systemd
// accepts the drop-in, scripts/install lays it down, and its ExecStopPost= command line, run as systemd
// would after a keepalived killed with SIGKILL (no PID-1 systemd here to run a real unit), takes the WAN
// rule and the VIP from the dead node while the peer keeps them. Notify-script mode, no ha-tool daemon:
// without the guard both nodes keep the VIP and the WAN rule (checked first, so the test can fail).
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {eventually, holdsVip, keepalivedPairSkipReason, type PairNode, withKeepalivedPair} from '../support/keepalived-pair.js'
import {BIN, cleanEnv, ensureBuilt, hasProgram, ROOT, run, withTempDir} from '../support/spawn.js'

const DROPIN = join(ROOT, 'scripts/packaging/keepalived.service.d/ha-tool-guard.conf')

/** The ExecStopPost= argv of the drop-in, without systemd's prefix characters. */
function guardArgv(): string[] {
  const line = readFileSync(DROPIN, 'utf8').split('\n').find((l) => l.startsWith('ExecStopPost='))
  assert.ok(line, 'the drop-in has an ExecStopPost= line')
  return line.slice('ExecStopPost='.length).replace(/^[-@:+!]+/, '').trim().split(/\s+/)
}

const vipOn = holdsVip
const show = (nodes: PairNode[]) => nodes.map((n) => `${n.ns}: reported ${n.reported().join(',')} applied ${n.applied()} rules ${n.wanRules()} vip ${vipOn(n)}`).join('\n')

describe('keepalived.service guard drop-in', {timeout: 240_000}, () => {
  it('systemd-analyze verify accepts keepalived.service with the drop-in, and scripts/install lays it down', async (t) => {
    if (!hasProgram('systemd-analyze') || !existsSync('/lib/systemd/system/keepalived.service')) { t.skip('needs systemd-analyze and keepalived.service (scripts/install-system-deps)'); return }
    if (process.getuid?.() !== 0) { t.skip('scripts/install needs root'); return }
    ensureBuilt()
    await withTempDir(async (dir) => {
      const units = join(dir, 'units')
      mkdirSync(join(units, 'keepalived.service.d'), {recursive: true})
      copyFileSync('/lib/systemd/system/keepalived.service', join(units, 'keepalived.service'))
      copyFileSync(DROPIN, join(units, 'keepalived.service.d/ha-tool-guard.conf'))
      const r = spawnSync('systemd-analyze', ['verify', '--man=no', join(units, 'keepalived.service')], {encoding: 'utf8', env: {...process.env, SYSTEMD_UNIT_PATH: `${units}:`}})
      assert.equal(r.status, 0, r.stderr)
      assert.doesNotMatch(r.stderr, /ha-tool-guard\.conf/, r.stderr)
      // ha-tool-daemon.service too; its ExecStart (no '-') must exist, which only the installed tree has.
      copyFileSync(join(ROOT, 'scripts/packaging/ha-tool-daemon.service'), join(units, 'ha-tool-daemon.service'))
      const daemon = spawnSync('systemd-analyze', ['verify', '--man=no', join(units, 'ha-tool-daemon.service')], {encoding: 'utf8', env: {...process.env, SYSTEMD_UNIT_PATH: `${units}:`}})
      const complaints = daemon.stderr.split('\n').filter((l) => l.trim() !== '' && !(existsSync('/usr/sbin/ha-tool') ? false : /Command \/usr\/sbin\/ha-tool is not executable/.test(l)))
      assert.deepEqual(complaints, [], daemon.stderr)
      // verify reads the drop-in: a broken copy is reported by name (so the pass above means something).
      writeFileSync(join(units, 'keepalived.service.d/ha-tool-guard.conf'), `${readFileSync(DROPIN, 'utf8')}ExecStopPst=/bin/true\n`)
      const broken = spawnSync('systemd-analyze', ['verify', '--man=no', join(units, 'keepalived.service')], {encoding: 'utf8', env: {...process.env, SYSTEMD_UNIT_PATH: `${units}:`}})
      assert.match(broken.stderr, /ha-tool-guard\.conf:\d+: Unknown key 'ExecStopPst'/)
      // The installed tree holds the drop-in where systemd looks, and the command it names.
      const destdir = join(dir, 'root')
      const inst = await run([join(ROOT, 'scripts/install'), '--destdir', destdir, '--no-build'], {env: cleanEnv(), timeoutMs: 120_000})
      assert.equal(inst.code, 0, inst.stderr)
      const installed = join(destdir, 'usr/lib/systemd/system/keepalived.service.d/ha-tool-guard.conf')
      assert.equal(readFileSync(installed, 'utf8'), readFileSync(DROPIN, 'utf8'))
      assert.equal((statSync(installed).mode & 0o7777).toString(8), '644')
      assert.ok(statSync(join(destdir, guardArgv()[0])).mode & 0o111, `${guardArgv()[0]} is executable in the installed tree`)
      const un = await run([join(ROOT, 'scripts/uninstall'), '--destdir', destdir], {env: cleanEnv(), timeoutMs: 60_000})
      assert.equal(un.code, 0, un.stderr)
      assert.equal(existsSync(installed), false)
    })
  })

  it('after kill -9 of the MASTER\'s keepalived (notify scripts, no daemon), the ExecStopPost command releases the WAN rule and the VIP', {skip: keepalivedPairSkipReason()}, async () => {
    ensureBuilt()
    const argv = guardArgv()
    assert.equal(argv[0], '/usr/sbin/ha-tool')
    await withKeepalivedPair('hat-t14-gd', {mode: 'notify'}, async ([a, b]) => {
      await a.startKeepalived()
      await b.startKeepalived()
      assert.ok(await eventually(() => a.wanRules() === 1 && vipOn(a) && b.applied() === 'BACKUP', 15_000), show([a, b]))
      await a.stopKeepalived('SIGKILL')
      assert.ok(await eventually(() => b.wanRules() === 1 && vipOn(b), 10_000), `the peer never took over:\n${show([a, b])}`)
      // Nothing else cleans up in script mode: both nodes now hold the VIP and route out the WAN.
      assert.equal(a.wanRules(), 1, show([a, b]))
      assert.equal(vipOn(a), true, show([a, b]))
      // What systemd runs after the kill: the drop-in's command line, against this node's config.
      const started = Date.now()
      const r = spawnSync('ip', ['netns', 'exec', a.ns, process.execPath, BIN, ...argv.slice(1)], {encoding: 'utf8', env: cleanEnv({HA_TOOL_CONFIG: a.config}), timeout: 30_000})
      const tookMs = Date.now() - started
      assert.equal(r.status, 0, `guard exit ${r.status}: ${r.stderr}`)
      assert.equal(a.wanRules(), 0, `the dead node still routes out the WAN:\n${show([a, b])}`)
      assert.equal(vipOn(a), false, `the dead node still holds the VIP:\n${show([a, b])}`)
      assert.equal(a.applied(), 'STOP')
      assert.equal(b.wanRules(), 1, show([a, b]))
      assert.equal(vipOn(b), true, show([a, b]))
      // A second run changes nothing (systemd may run it after a clean stop that already converged).
      const again = spawnSync('ip', ['netns', 'exec', a.ns, process.execPath, BIN, ...argv.slice(1), '--json'], {encoding: 'utf8', env: cleanEnv({HA_TOOL_CONFIG: a.config}), timeout: 30_000})
      assert.equal(again.status, 0, again.stderr)
      assert.ok(tookMs < 10_000, `the guard took ${tookMs} ms`)
    })
  })
})
