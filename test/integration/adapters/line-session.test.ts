// The daemon's resident `nft -i` (adapters/line-session.ts) against the real nft, in a namespace of its own:
// commands apply in order, nft's refusal comes back as nft's error, a killed nft is replaced, and the WAN
// silence lifted through it is what a one-shot `nft -f` would leave.
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {createExec} from '../../../src/adapters/exec.js'
import {createIpSession, createNftSession} from '../../../src/adapters/line-session.js'
import {createWanSilence} from '../../../src/adapters/wan-silence.js'
import {sh} from '../../support/netns.js'
import {hasProgram} from '../../support/spawn.js'
import {buildTopology, type Topology} from '../../support/topology.js'

const skip = process.getuid?.() !== 0 ? 'needs root (a network namespace)' : !hasProgram('nft') ? 'nft is not installed (scripts/install-system-deps)' : undefined
const NS = 'hat-nftsess'
const inNs = ['ip', 'netns', 'exec', NS, 'nft']
const tables = () => sh(['ip', 'netns', 'exec', NS, 'nft', 'list', 'tables'], false).stdout

describe('resident nft -i and ip -batch sessions', {skip, timeout: 60_000}, () => {
  // the namespace and a WAN link (both ends in it, down), from the topology builder; deleted with what runs in it
  let topology: Topology<'node'> | undefined
  before(() => {
    topology = buildTopology({prefix: 'hat-', names: {node: NS}, nodes: {node: {}}, links: [[{node: 'node', dev: 'wan0', up: false}, {node: 'node', dev: 'wanp', up: false}]]})
  })
  after(() => { topology?.destroy() })

  it('applies each line at once, in order, and reports nft\'s own refusal', async () => {
    const s = createNftSession(inNs)
    try {
      s.warm()
      await Promise.all([s.run('add table inet hat_a', 5000), s.run('add chain inet hat_a c', 5000), s.run('add rule inet hat_a c accept', 5000)])
      assert.match(sh(['ip', 'netns', 'exec', NS, 'nft', 'list', 'table', 'inet', 'hat_a'], false).stdout, /chain c \{\s+accept/)
      await assert.rejects(s.run('add rule inet hat_missing c accept', 5000), (e: Error & {kind?: string}) => /No such file or directory/.test(e.message) && e.kind !== 'session')
      // still usable after a refusal
      await s.run('delete table inet hat_a', 5000)
      assert.doesNotMatch(tables(), /hat_a/)
    } finally { s.close() }
  })

  it('a killed nft is replaced for the next command', async () => {
    const s = createNftSession(inNs)
    try {
      await s.run('add table inet hat_b', 5000)
      // setpriv and `ip netns exec` exec in place: the session is the nft process in the namespace
      const pid = sh(['ip', 'netns', 'pids', NS], false).stdout.trim().split('\n').filter(Boolean).map(Number)
      assert.ok(pid.length > 0, 'nft -i runs')
      for (const p of pid) process.kill(p, 'SIGKILL')
      await new Promise((resolve) => setTimeout(resolve, 100))
      await s.run('delete table inet hat_b', 5000)
      assert.doesNotMatch(tables(), /hat_b/)
    } finally { s.close() }
  })

  it('ip -batch sessions: rules per family, ip\'s refusal as its error, and the same rules as ip itself would leave', async () => {
    const v4 = createIpSession(4, ['ip', '-n', NS])
    const v6 = createIpSession(6, ['ip', '-n', NS])
    const rules = (family: string) => sh(['ip', '-n', NS, family, 'rule', 'show', 'priority', '32770'], false).stdout
    try {
      await Promise.all([v4.run('rule add priority 32770 lookup 250', 5000), v6.run('rule add priority 32770 lookup 250', 5000)])
      assert.match(rules('-4'), /^32770:\s+from all lookup 250/)
      assert.match(rules('-6'), /^32770:\s+from all lookup 250/)
      await assert.rejects(v4.run('rule del priority 32771 lookup 250', 5000), (e: Error & {kind?: string}) => /No such file or directory|RTNETLINK answers/.test(e.message) && e.kind !== 'session')
      await Promise.all([v4.run('rule del priority 32770 lookup 250', 5000), v6.run('rule del priority 32770 lookup 250', 5000)])
      assert.equal(rules('-4').trim(), '')
      assert.equal(rules('-6').trim(), '')
    } finally { v4.close(); v6.close() }
  })

  it('the WAN silence lifted through it: open, as after nft -f, and converged', async () => {
    const exec = createExec()
    const session = createNftSession(inNs)
    // the one-shot path runs nft in the namespace too
    const nsExec: typeof exec = (argv, o) => exec(argv[0] === 'nft' ? [...inNs, ...argv.slice(1)] : argv, o)
    const silence = createWanSilence(nsExec, 'nft', session)
    try {
      await silence.apply('wan0')
      assert.equal(await silence.isApplied('wan0'), true)
      await silence.lift()
      assert.equal(await silence.isApplied('wan0'), false)
      await silence.apply('wan0')
      assert.equal(await silence.isApplied('wan0'), true)
    } finally { session.close() }
  })
})
