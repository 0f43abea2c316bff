// `ha-tool notify` against the real kernel (ip rule, ip link, nftables) in a throw-away namespace.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {canUseNetns, type Netns, withNetns, withWanNetns} from '../../support/netns.js'
import {BIN, ensureBuilt, withTempDir} from '../../support/spawn.js'

const skip = canUseNetns()

type Rule = {priority: number; table: string; src?: string; protocol?: string}
/** Plain "to all lookup 250 priority 32770" rules: ha-tool's (protocol 73, wan.rule_protocol's default), or of any protocol ('any'). */
const wanRules = (ns: Netns, protocol: string = '73') => (JSON.parse(ns.ip('-j', '-N', 'rule', 'show')) as Rule[])
  .filter((r) => r.priority === 32770 && r.table === '250' && r.src === 'all' && (protocol === 'any' || r.protocol === protocol)).length
/** The silence table is there and its gate chain is empty (nothing accepted, everything dropped). */
const silenced = (ns: Netns) => {
  const r = ns.run(['nft', 'list', 'table', 'netdev', 'ha_tool_wan_silence'])
  return r.code === 0 && /chain gate \{\s*\}/.test(r.stdout)
}
const linkUp = (ns: Netns) => (JSON.parse(ns.ip('-j', 'link', 'show', 'dev', 'wan0')) as Array<{flags: string[]}>)[0].flags.includes('UP')

function config(dir: string, extra = ''): string {
  const file = join(dir, 'c.toml')
  writeFileSync(file, `[wan]\ninterface = "wan0"\nup_timeout_ms = 1500\n${extra}\n[state]\ndir = "${join(dir, 'state')}"\n[keepalived]\ndbus = false\n`)
  return file
}

describe('notify against the real kernel', {skip}, () => {
  it('MASTER adds its one WAN rule (its own protocol) beside look-alikes of other protocols; BACKUP removes only its own and silences the WAN', async () => {
    ensureBuilt()
    await withTempDir(async (dir) => withNetns('hat-t3-rules', (ns) => {
      const c = config(dir)
      // Copies that differ in protocol coexist in the kernel: a DHCP client's (dhcp), keepalived's
      // virtual_rules (18), networkd's (static). None is ha-tool's (its earlier rules, without
      // protocol, are the next test's).
      const addForeign = (n: number) => {
        for (const proto of ['dhcp', '18', 'static'].slice(0, n)) {
          try { ns.ip('rule', 'add', 'priority', '32770', 'lookup', '250', 'protocol', proto) } catch { /* that copy is there already */ }
        }
        return wanRules(ns, 'any') - wanRules(ns)
      }
      for (const foreign of [0, 1, 3]) {
        assert.equal(addForeign(foreign), foreign)
        const m = ns.haTool(['notify', '--config', c, 'INSTANCE', 'VI_1', 'MASTER', '100'])
        assert.equal(m.code, 0, m.stderr)
        assert.deepEqual([wanRules(ns), wanRules(ns, 'any')], [1, foreign + 1], `MASTER beside ${foreign} foreign copies`)
        assert.equal(silenced(ns), false)
        // Running MASTER again is harmless: nothing planned, no EEXIST.
        const again = ns.haTool(['notify', '--config', c, '--json', 'master'])
        assert.equal(again.code, 0, again.stderr)
        assert.deepEqual((JSON.parse(again.stdout) as {steps: unknown[]}).steps, [])
        const b = ns.haTool(['notify', '--config', c, 'INSTANCE', 'VI_1', 'BACKUP', '100'])
        assert.equal(b.code, 0, b.stderr)
        assert.deepEqual([wanRules(ns), wanRules(ns, 'any')], [0, foreign], `BACKUP leaves the ${foreign} foreign copies`)
        assert.equal(silenced(ns), true)
        for (let i = 0; i < 4; i++) try { ns.ip('rule', 'del', 'priority', '32770', 'lookup', '250') } catch { break }
      }
      // A rule that only looks alike (a source selector) is not ours and stays.
      ns.ip('rule', 'add', 'priority', '32770', 'from', '10.0.0.0/8', 'lookup', '250')
      const m = ns.haTool(['notify', '--config', c, 'master'])
      assert.equal(m.code, 0, m.stderr)
      assert.equal(wanRules(ns), 1)
      ns.haTool(['notify', '--config', c, 'backup'])
      assert.deepEqual([wanRules(ns), wanRules(ns, 'any')], [0, 0])
      assert.match(ns.ip('rule', 'show'), /32770:\s+from 10\.0\.0\.0\/8 lookup 250/)
    }, {wan: {}}))
  })

  it('an upgrade: the rule an older ha-tool added without protocol is replaced on MASTER and removed on BACKUP; rules at another priority or table stay', async () => {
    ensureBuilt()
    await withTempDir(async (dir) => withNetns('hat-t3-legacy', (ns) => {
      const c = config(dir)
      // What an older ha-tool (and the daemon's ip -batch) added: `ip rule add priority P lookup T`, protocol unspec.
      const oldRule = () => ns.ip('rule', 'add', 'priority', '32770', 'lookup', '250')
      const unspec = () => wanRules(ns, 'any') - wanRules(ns)
      // Foreign, whatever their protocol: another priority, another table, another selector, a named protocol.
      const foreign = [['priority', '32771', 'lookup', '250'], ['priority', '32770', 'lookup', '251'], ['priority', '32770', 'from', '10.0.0.0/8', 'lookup', '250']]
      const show = () => ns.ip('-N', 'rule', 'show')
      let selector = true
      const foreignThere = (when: string) => {
        const rules = show()
        assert.match(rules, /^32771:\s+from all lookup 250\s*$/m, `${when}: the rule at another priority`)
        assert.match(rules, /^32770:\s+from all lookup 251\s*$/m, `${when}: the rule of another table`)
        if (selector) assert.match(rules, /^32770:\s+from 10\.0\.0\.0\/8 lookup 250\s*$/m, `${when}: the rule with another selector`)
      }
      oldRule()
      for (const f of foreign) ns.ip('rule', 'add', ...f)
      // MASTER: its rule with protocol 73 goes in, then the old one goes.
      const m = ns.haTool(['notify', '--config', c, '--json', 'master'])
      assert.equal(m.code, 0, m.stderr)
      const steps = (JSON.parse(m.stdout) as {steps: Array<{kind: string; why: string; status: string}>}).steps.filter((s) => s.kind.startsWith('rule.'))
      // The IPv4 and IPv6 adds (wan.ipv6 is on by default), then the delete.
      assert.deepEqual(steps.map((s) => [s.kind, s.status]), [['rule.add', 'ok'], ['rule.add', 'ok'], ['rule.del', 'ok']])
      assert.match(steps[2].why, /replace 1 earlier ha-tool WAN rule without protocol \(proto unspec\) by the one with protocol 73/)
      assert.deepEqual([wanRules(ns), unspec()], [1, 0], show())
      foreignThere('MASTER')
      const again = ns.haTool(['notify', '--config', c, '--json', 'master'])
      assert.deepEqual((JSON.parse(again.stdout) as {steps: unknown[]}).steps, [], 'converged')
      // The kernel takes a plain rule added after a "from X" one of the same protocol for a
      // duplicate (EEXIST): the old rule could not be added again beside it.
      ns.ip('rule', 'del', 'priority', '32770', 'from', '10.0.0.0/8', 'lookup', '250')
      selector = false
      // BACKUP of a node that was MASTER before the upgrade and after it (the node): both go.
      oldRule()
      const b = ns.haTool(['notify', '--config', c, 'backup'])
      assert.equal(b.code, 0, b.stderr)
      assert.deepEqual([wanRules(ns), unspec()], [0, 0], show())
      foreignThere('BACKUP')
      // A BACKUP that never ran the new version as MASTER: the old rule alone goes too.
      oldRule()
      ns.haTool(['notify', '--config', c, 'fault'])
      assert.deepEqual([wanRules(ns), unspec()], [0, 0], show())
      // Behind networkd's look-alike a delete by protocol unspec would take networkd's rule (the
      // kernel's first match): ha-tool leaves both, and doctor names them.
      ns.ip('rule', 'add', 'priority', '32770', 'lookup', '250', 'protocol', 'static')
      oldRule()
      ns.haTool(['notify', '--config', c, 'master'])
      ns.haTool(['notify', '--config', c, 'backup'])
      assert.match(show(), /^32770:\s+from all lookup 250 proto 4\s*\n32770:\s+from all lookup 250\s*$/m)
      assert.equal(wanRules(ns), 0)
      foreignThere('after the stuck case')
    }, {wan: {}}))
  })

  it('a second identical notify changes nothing and says so', async () => {
    await withTempDir(async (dir) => withNetns('hat-t3-idem', (ns) => {
      const c = config(dir)
      ns.haTool(['notify', '--config', c, 'master'])
      const before = ns.ip('rule', 'show')
      const again = ns.haTool(['notify', '--config', c, '--json', 'master'])
      assert.equal(again.code, 0)
      const r = JSON.parse(again.stdout) as {steps: unknown[]; applied: boolean}
      assert.equal(r.applied, true)
      assert.deepEqual(r.steps, [])
      assert.equal(ns.ip('rule', 'show'), before)
    }, {wan: {}}))
  })

  it('the silenced BACKUP really drops WAN traffic both ways; MASTER lets it through', async () => {
    // The ISP side in a second namespace (isp0 198.51.100.1), so packets really cross the WAN link.
    await withTempDir(async (dir) => withWanNetns({gw: 'hat-t3-silence', isp: 'hat-t3-silisp'}, (ns, isp) => {
      const c = config(dir)
      const ping = () => isp.run(['ping', '-n', '-q', '-c', '1', '-W', '1', '198.51.100.10']).code
      assert.equal(ping(), 0, 'the WAN answers before anything')
      ns.haTool(['notify', '--config', c, 'backup'])
      assert.notEqual(ping(), 0, 'a silenced BACKUP must not answer on the WAN')
      ns.haTool(['notify', '--config', c, 'master'])
      assert.equal(ping(), 0, 'the MASTER answers again')
    }))
  })

  it('down-on-backup via netlink: BACKUP takes the link down; MASTER brings it up and is partial (3) until the table has a default route', async () => {
    await withTempDir(async (dir) => withNetns('hat-t3-link', (ns) => {
      const c = config(dir, 'link = "down-on-backup"')
      ns.haTool(['notify', '--config', c, 'master'])
      const b = ns.haTool(['notify', '--config', c, 'backup'])
      assert.equal(b.code, 0, b.stderr)
      assert.equal(linkUp(ns), false)
      assert.equal(wanRules(ns), 0)
      // The kernel dropped table 250's route with the link; nothing here runs DHCP to restore it.
      const m = ns.haTool(['notify', '--config', c, '--json', 'master'])
      assert.equal(m.code, 3, m.stdout)
      assert.equal(linkUp(ns), true)
      const r = JSON.parse(m.stdout) as {steps: Array<{kind: string; status: string; error?: string}>}
      assert.match(r.steps.find((s) => s.kind === 'wait.wan')!.error!, /default route in table 250/)
      assert.equal(wanRules(ns), 1, 'the rule still goes in: routing out a WAN that may come back beats routing nowhere')
      // Once a default route is back, the next run completes with nothing else to do but wait.
      ns.ip('route', 'add', 'default', 'via', '198.51.100.1', 'dev', 'wan0', 'table', '250')
      assert.equal(ns.haTool(['notify', '--config', c, 'master']).code, 0)
    }, {wan: {}}))
  })

  it('hooks that reach the lock out of order: the state keepalived spawned last wins', async () => {
    await withTempDir(async (dir) => withNetns('hat-t3-order', async (ns) => {
      const c = config(dir)
      // Like keepalived: fork the hooks in order; each then sleeps a random time before node
      // starts (same PID and start time, as exec keeps them), so they run in any order.
      for (let round = 0; round < 4; round++) {
        const states = Array.from({length: 8}, (_, i) => (i % 2 ? 'BACKUP' : 'MASTER'))
        if (round % 2) states.push('MASTER')
        else states.push('BACKUP')
        const script = states.map((s) => `(sleep 0.$(shuf -i 0-40 -n 1 | xargs printf '%02d'); exec "$NODE" "$BIN" notify --config "$C" INSTANCE VI_1 ${s} 100) &`).join('\n') + '\nwait\n'
        await new Promise<void>((resolve, reject) => {
          const p = spawn('ip', ['netns', 'exec', ns.name, 'sh', '-c', script], {stdio: 'ignore', env: {...process.env, NODE: process.execPath, BIN, C: c}})
          p.on('error', reject)
          p.on('close', () => resolve())
        })
        const last = states.at(-1)
        const state = JSON.parse(readFileSync(join(dir, 'state', 'state.json'), 'utf8')) as {role: string}
        assert.equal(state.role, last, `round ${round}: ${states.join(' ')}`)
        assert.equal(wanRules(ns), last === 'MASTER' ? 1 : 0)
        assert.equal(silenced(ns), last !== 'MASTER')
      }
    }, {wan: {}}))
  })

  it('an edited config takes effect on the next run (the hot path caches the parsed config)', async () => {
    await withTempDir(async (dir) => withNetns('hat-t3-cfg', (ns) => {
      ns.ip('route', 'add', 'default', 'via', '198.51.100.1', 'dev', 'wan0', 'table', '251')
      const c = config(dir)
      assert.equal(ns.haTool(['notify', '--config', c, 'master']).code, 0)
      assert.equal(ns.haTool(['notify', '--config', c, 'backup']).code, 0)
      writeFileSync(c, readFileSync(c, 'utf8').replace('[wan]\n', '[wan]\ntable = 251\n'))
      assert.equal(ns.haTool(['notify', '--config', c, 'master']).code, 0)
      assert.match(ns.ip('rule', 'show'), /32770:\s+from all lookup 251/)
      writeFileSync(c, readFileSync(c, 'utf8').replace('table = 251', 'table = "x"'))
      const bad = ns.haTool(['notify', '--config', c, 'backup'])
      assert.equal(bad.code, 78, bad.stderr)
      assert.match(bad.stderr, /wan\.table: expected an integer/)
    }, {wan: {}}))
  })

  it('bad arguments exit 2 and touch nothing', async () => {
    await withTempDir(async (dir) => withNetns('hat-t3-bad', (ns) => {
      const c = config(dir)
      ns.ip('rule', 'add', 'priority', '32770', 'lookup', '250', 'protocol', '73')
      for (const args of [['INSTANCE', 'VI_1', 'PROMOTE', '1'], ['maybe'], [], ['INSTANCE', 'VI_1']]) {
        const r = ns.haTool(['notify', '--config', c, ...args])
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
        assert.match(r.stderr, /^ha-tool: .*usage: ha-tool notify/)
      }
      assert.equal(wanRules(ns), 1)
      assert.equal(silenced(ns), false)
      assert.throws(() => readFileSync(join(dir, 'state', 'state.json')))
    }, {wan: {}}))
  })
})
