// IPv6 on the WAN against the real kernel: `ha-tool notify` converges the IPv6 WAN rule with the
// IPv4 one (ip -6 rule), and the BACKUP's WAN silence drops IPv6 too: neighbour and router
// solicitations, MLD and a real DHCPv6 client's Solicits never leave the silenced WAN.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {describe, it} from 'node:test'
import {canUseNetns, type Netns, withNetns, withWanNetns} from '../../support/netns.js'
import {ensureBuilt, withTempDir} from '../../support/spawn.js'

const skip = canUseNetns()
const TABLE = 251
const PRIO = 32771
/** wan0 with IPv4 and IPv6 addresses and default routes in table TABLE (no DAD: addresses usable at once). */
const WAN = {table: TABLE, ipv6: true}

type Rule = {priority: number; table: string; src?: string; protocol?: string}
/** Copies of the plain "from all lookup TABLE priority PRIO" rule: ha-tool's (protocol 73, the default wan.rule_protocol), or of any protocol ('any'). */
const rules = (ns: Netns, family: '-4' | '-6', protocol: string = '73') => (JSON.parse(ns.ip(family, '-j', '-N', 'rule', 'show')) as Rule[])
  .filter((r) => r.priority === PRIO && r.table === String(TABLE) && r.src === 'all' && (protocol === 'any' || r.protocol === protocol)).length

function config(dir: string, extra = ''): string {
  const file = join(dir, 'c.toml')
  writeFileSync(file, `[wan]\ninterface = "wan0"\ntable = ${TABLE}\nrule_priority = ${PRIO}\nup_timeout_ms = 1500\n${extra}\n[state]\ndir = "${join(dir, 'state')}"\n[keepalived]\ndbus = false\n`)
  return file
}

describe('IPv6 WAN rule and silence against the real kernel', {skip}, () => {
  it('MASTER adds its IPv6 rule beside the IPv4 one next to 0, 1 or 3 look-alikes of other protocols; BACKUP removes only its own; a second run does nothing', async () => {
    ensureBuilt()
    await withTempDir(async (dir) => withNetns('hat-v6-rules', (ns) => {
      const c = config(dir)
      // Copies that differ in protocol coexist (a DHCP client's, keepalived's virtual_rules, networkd's); none is ha-tool's.
      const addForeign = (n: number) => {
        for (const proto of ['dhcp', '18', 'static'].slice(0, n)) {
          try { ns.ip('-6', 'rule', 'add', 'priority', String(PRIO), 'lookup', String(TABLE), 'protocol', proto) } catch { /* there already */ }
        }
        return rules(ns, '-6', 'any') - rules(ns, '-6')
      }
      for (const foreign of [0, 1, 3]) {
        assert.equal(addForeign(foreign), foreign)
        const m = ns.haTool(['notify', '--config', c, 'INSTANCE', 'VI_1', 'MASTER', '100'])
        assert.equal(m.code, 0, m.stderr)
        assert.deepEqual([rules(ns, '-4'), rules(ns, '-6'), rules(ns, '-6', 'any')], [1, 1, foreign + 1], `MASTER beside ${foreign} foreign IPv6 copies`)
        const again = ns.haTool(['notify', '--config', c, '--json', 'master'])
        assert.deepEqual((JSON.parse(again.stdout) as {steps: unknown[]}).steps, [], 'converged: nothing to do')
        const b = ns.haTool(['notify', '--config', c, '--json', 'backup'])
        assert.equal(b.code, 0, b.stderr)
        assert.deepEqual([rules(ns, '-4'), rules(ns, '-6'), rules(ns, '-6', 'any')], [0, 0, foreign], `BACKUP leaves the ${foreign} foreign IPv6 copies`)
        const b2 = ns.haTool(['notify', '--config', c, '--json', 'backup'])
        assert.deepEqual((JSON.parse(b2.stdout) as {steps: unknown[]}).steps, [])
        for (let i = 0; i < 4; i++) try { ns.ip('-6', 'rule', 'del', 'priority', String(PRIO), 'lookup', String(TABLE)) } catch { break }
      }
      // The IPv6 rule is routed through for real: a MASTER's IPv6 lookup of an outside address uses table TABLE.
      ns.haTool(['notify', '--config', c, 'master'])
      assert.match(ns.ip('-6', 'route', 'get', '2001:db8:ffff::1'), /via 2001:db8:1::1 dev wan0 table 251/)
      // status reads it.
      const st = JSON.parse(ns.haTool(['status', '--config', c, '--json']).stdout) as {wan: {ipv6: unknown}}
      assert.deepEqual(st.wan.ipv6, {ruleCopies: 1, defaultRoute: true, delegatedPrefixes: []})
      // A rule that only looks alike (a source selector) is not ours and stays; and it no longer
      // makes ha-tool's add fail: the kernel takes a plain rule added after a "from X" one of the
      // same protocol for a duplicate (EEXIST), and ha-tool's protocol is its own.
      ns.haTool(['notify', '--config', c, 'backup'])
      ns.ip('-6', 'rule', 'add', 'priority', String(PRIO), 'from', '2001:db8:9::/48', 'lookup', String(TABLE))
      const m = ns.haTool(['notify', '--config', c, 'master'])
      assert.equal(m.code, 0, m.stderr)
      assert.equal(rules(ns, '-6'), 1)
      ns.haTool(['notify', '--config', c, 'backup'])
      assert.match(ns.ip('-6', 'rule', 'show'), /32771:\s+from 2001:db8:9::\/48 lookup 251/)
      ns.ip('-6', 'rule', 'del', 'priority', String(PRIO), 'from', '2001:db8:9::/48', 'lookup', String(TABLE))
      // An upgrade: the IPv6 rule an older ha-tool added without protocol is replaced on MASTER and
      // removed on BACKUP; one at another priority stays.
      ns.ip('-6', 'rule', 'add', 'priority', String(PRIO), 'lookup', String(TABLE))
      ns.ip('-6', 'rule', 'add', 'priority', String(PRIO + 1), 'lookup', String(TABLE))
      const up = ns.haTool(['notify', '--config', c, 'master'])
      assert.equal(up.code, 0, up.stderr)
      assert.deepEqual([rules(ns, '-6'), rules(ns, '-6', 'any')], [1, 1], ns.ip('-6', 'rule', 'show'))
      ns.ip('-6', 'rule', 'add', 'priority', String(PRIO), 'lookup', String(TABLE))
      ns.haTool(['notify', '--config', c, 'backup'])
      assert.deepEqual([rules(ns, '-6'), rules(ns, '-6', 'any')], [0, 0], ns.ip('-6', 'rule', 'show'))
      assert.match(ns.ip('-6', 'rule', 'show'), new RegExp(`^${PRIO + 1}:\\s+from all lookup ${TABLE}\\s*$`, 'm'))
      ns.ip('-6', 'rule', 'del', 'priority', String(PRIO + 1), 'lookup', String(TABLE))
      // wan.ipv6 = false: IPv6 rules are not ha-tool's business.
      const off = config(dir, 'ipv6 = false')
      ns.haTool(['notify', '--config', off, 'master'])
      assert.deepEqual([rules(ns, '-4'), rules(ns, '-6')], [1, 0])
      ns.ip('-6', 'rule', 'add', 'priority', String(PRIO), 'lookup', String(TABLE), 'protocol', '73')
      ns.haTool(['notify', '--config', off, 'backup'])
      assert.deepEqual([rules(ns, '-4'), rules(ns, '-6')], [0, 1])
    }, {wan: WAN}))
  })

  it('the silenced BACKUP sends no IPv6 on the WAN: no NDP, router solicitation, MLD or DHCPv6; the MASTER does', async () => {
    // The ISP side (isp0 2001:db8:1::1) in a second namespace: what the node sends really crosses the WAN link.
    await withTempDir(async (dir) => withWanNetns({gw: 'hat-v6-silence', isp: 'hat-v6-silisp'}, async (ns, isp) => {
      // What arrives on the ISP side of the WAN link, counted by the kernel before anything else sees it.
      const counters = () => {
        isp.run(['nft', 'delete', 'table', 'netdev', 'hat_count'])
        const r = isp.run(['nft', '-f', '-'], {input: [
          'table netdev hat_count {',
          '  chain in {',
          '    type filter hook ingress device "isp0" priority 0; policy accept;',
          '    meta protocol ip6 counter comment "ipv6"',
          '    icmpv6 type nd-neighbor-solicit counter comment "ns"',
          '    icmpv6 type nd-router-solicit counter comment "rs"',
          '    icmpv6 type { mld-listener-report, mld2-listener-report } counter comment "mld"',
          '    udp dport 547 counter comment "dhcpv6"',
          '  }',
          '}', ''].join('\n')})
        assert.equal(r.code, 0, r.stderr)
      }
      const read = () => {
        const text = isp.run(['nft', 'list', 'table', 'netdev', 'hat_count']).stdout
        const out: Record<string, number> = {}
        for (const m of text.matchAll(/counter packets (\d+) bytes \d+ comment "(\w+)"/g)) out[m[2]] = Number(m[1])
        return out
      }
      // Traffic a node sends on its own: a neighbour solicitation (ping of an unresolved neighbour),
      // a link flap (router solicitation, MLD reports), and a real DHCPv6 client asking for a prefix.
      const traffic = async () => {
        ns.run(['ip', '-6', 'neigh', 'flush', 'dev', 'wan0'])
        const dhclient = spawn('ip', ['netns', 'exec', ns.name, 'dhclient', '-6', '-P', '-d', '-lf', join(dir, 'dh6.leases'), '-pf', join(dir, 'dh6.pid'), '-sf', '/bin/true', 'wan0'], {stdio: 'ignore'})
        try {
          ns.run(['ping', '-6', '-n', '-q', '-c', '1', '-W', '1', '2001:db8:1::1'])
          ns.ip('link', 'set', 'wan0', 'down')
          ns.ip('link', 'set', 'wan0', 'up')
          await sleep(2500)
        } finally {
          dhclient.kill('SIGKILL')
        }
      }
      const c = config(dir)

      const m = ns.haTool(['notify', '--config', c, 'master'])
      assert.equal(m.code, 0, m.stderr)
      counters()
      await traffic()
      const open = read()
      // The counters see each kind when nothing is silenced (else this test could not fail).
      for (const k of ['ipv6', 'ns', 'rs', 'mld', 'dhcpv6']) assert.ok(open[k] > 0, `MASTER: no ${k} counted: ${JSON.stringify(open)}`)

      const b = ns.haTool(['notify', '--config', c, 'backup'])
      assert.equal(b.code, 0, b.stderr)
      counters()
      await traffic()
      assert.deepEqual(read(), {ipv6: 0, ns: 0, rs: 0, mld: 0, dhcpv6: 0}, 'a silenced BACKUP sent IPv6 on the WAN')
    }, WAN))
  })
})
