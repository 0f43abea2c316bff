// `ha-tool doctor --root DIR` as a user runs it, with the real keepalived -t: a good tree exits 0;
// each planted trap exits 1 and names the fix, in text and in --json.
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {buildExample} from '../../../src/app/config-example.js'
import {renderConfigToml} from '../../../src/config/render.js'
import {ExitCode} from '../../../src/core/exit-codes.js'
import {cleanEnv, ensureBuilt, hasProgram, runCli} from '../../support/spawn.js'
import {buildTopology, type End, type Topology} from '../../support/topology.js'
import {netnsSkipReason} from './netns.js'
import {goodNode, type Node} from '../../app/doctor/fixture.js'

type Report = {ok: boolean; root: string; counts: Record<string, number>; checks: Array<{id: string; title: string; status: string; detail: string; fix?: string}>}

let node: Node
// keepalived -t stops at interfaces it cannot find before judging scripts: run doctor in a
// namespace that has the LAN and WAN links the tree names.
const NS = `hat-h8-doc-${process.pid}`
let topo: Topology<'node'> | undefined
before(() => {
  ensureBuilt()
  node = goodNode()
  node.write('/etc/ha-tool/config.toml', renderConfigToml(node.config))
  if (netnsSkipReason()) return
  topo = buildTopology({prefix: 'hat-h8-', names: {node: NS}, nodes: {node: {}}, links: ['ens6', 'ens7'].map((l): [End<'node'>, End<'node'>] => [{node: 'node', dev: l, up: false}, {node: 'node', dev: `${l}p`, up: false}])})
})
after(() => {
  node.cleanup()
  topo?.destroy()
})

const doctor = (...args: string[]) => runCli(['doctor', '--root', node.root, ...args], {env: cleanEnv(), timeoutMs: 60_000, prefix: ['ip', 'netns', 'exec', NS]})
const skipWhy = netnsSkipReason() ?? (hasProgram('keepalived') ? undefined : 'keepalived is not installed (scripts/install-system-deps)')

describe('ha-tool doctor --root', {skip: skipWhy ?? false}, () => {
  test('the good tree: exit 0, every check passes (the live-only ones skip)', async () => {
    const r = await doctor('--json')
    assert.equal(r.code, ExitCode.OK, r.stdout + r.stderr)
    const report = JSON.parse(r.stdout) as Report
    assert.deepEqual(Object.keys(report), ['ok', 'root', 'counts', 'checks'])
    assert.equal(report.ok, true)
    for (const c of report.checks) {
      assert.deepEqual(Object.keys(c).filter((k) => k !== 'fix'), ['id', 'title', 'status', 'detail'])
      assert.equal(c.status, ['peer-ssh', 'peer-config', 'conntrackd-peer-channel', 'wan-link', 'wan-rule-ipv6', 'wan-rule-foreign', 'lan-ipv6'].includes(c.id) ? 'skip' : 'pass', `${c.id}: ${c.detail}`)
    }
  })

  test('keepalived.conf without script security: the real keepalived -t says so, doctor exits 1 with the fix', async () => {
    const conf = join(node.root, 'etc/keepalived/keepalived.conf')
    const good = readFileSync(conf, 'utf8')
    try {
      // Script mode (a FIFO-only config has no scripts, so nothing for script security to refuse), with
      // scripts that exist on this machine: keepalived -t resolves them here, not under --root.
      const scripted = buildExample('keepalived', node.config, '/etc/ha-tool/config.toml', 'script').replaceAll('/usr/sbin/ha-tool', '/usr/bin/true')
      writeFileSync(conf, scripted.replace(/^\s*enable_script_security\n/m, '\n'))
      const r = await doctor()
      assert.equal(r.code, ExitCode.FAILED)
      assert.match(r.stdout, /^FAIL {2}keepalived-test: keepalived 2\.2\.7 -t: exit 6 \(script security violation\): SECURITY VIOLATION/m)
      assert.match(r.stdout, /^ {6}fix: add `enable_script_security` and `script_user root` to global_defs$/m)
      assert.match(r.stdout, /^FAIL {2}keepalived-script-security: global_defs lacks enable_script_security$/m)
      assert.match(r.stdout, /\n\d+ passed, \d+ warnings, \d+ failed, \d+ skipped \(root \/tmp\/[^)]+\)$/m)
    } finally {
      writeFileSync(conf, good)
    }
  })

  test('--skip and a bad --skip', async () => {
    const r = await doctor('--skip', 'sysctl', '--json')
    assert.equal((JSON.parse(r.stdout) as Report).checks.find((c) => c.id === 'sysctl')?.status, 'skip')
    const bad = await doctor('--skip', 'nope')
    assert.equal(bad.code, ExitCode.USAGE)
    assert.match(bad.stderr, /unknown check "nope"/)
  })
})
