// The topology builder itself (test/support/topology.ts), which the lab, the tests and the benchmarks use:
// what it builds is there (bridge, veth into it, addresses, route, rule, sysctl, MAC, and the prefix-delegation lab's
// shapes: ends left down, both ends in one node, a default sysctl before the bridge), traffic flows between
// nodes, tear-down ends what runs inside and deletes the namespaces, and a build that fails half-way leaves
// nothing behind. Namespaces hat-topo-*.
import assert from 'node:assert/strict'
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {describe, it} from 'node:test'
import {buildTopology, canUseNetns, mergeNodes, TEST_WAN, wanShape, withTopology} from '../../support/topology.js'

const skip = canUseNetns()
const exists = (ns: string) => spawnSync('ip', ['netns', 'list'], {encoding: 'utf8'}).stdout.split('\n').some((l) => l.split(' ')[0] === ns)
const suffix = String(process.pid)

describe('topology builder', {skip}, () => {
  it('builds nodes, a switch, links, addresses, routes, rules and sysctls; tear-down ends processes and namespaces', async () => {
    let names: string[] = []
    let sleeper = 0
    let child: ChildProcess | undefined
    await withTopology({
      prefix: 'hat-topo-', suffix,
      nodes: {
        sw: {bridges: [{dev: 'br0', addrs: ['10.77.0.254/24']}]},
        a: {sysctls: {'net.ipv4.ip_forward': 1}, routes: ['default via 10.77.0.254 dev eth0 table 250'], rules: ['priority 32770 lookup 250']},
        b: {loAddrs: ['203.0.113.77/32']},
      },
      links: [
        [{node: 'a', dev: 'eth0', addrs: ['10.77.0.1/24'], mac: '02:00:00:77:00:01'}, {node: 'sw', dev: 'pa', master: 'br0'}],
        [{node: 'b', dev: 'eth0', addrs: ['10.77.0.2/24']}, {node: 'sw', dev: 'pb', master: 'br0'}],
      ],
    }, async (t) => {
      names = Object.values(t.ns)
      assert.deepEqual(names, [`hat-topo-sw${suffix}`, `hat-topo-a${suffix}`, `hat-topo-b${suffix}`])
      assert.match(t.ip('a', '-o', 'link', 'show', 'eth0'), /link\/ether 02:00:00:77:00:01 .*/)
      assert.match(t.ip('sw', '-o', 'link', 'show', 'pa'), /master br0 .*state UP/)
      assert.match(t.ip('a', 'route', 'show', 'table', '250'), /^default via 10\.77\.0\.254 dev eth0/)
      assert.match(t.ip('a', 'rule', 'show'), /^32770:\s+from all lookup 250/m)
      assert.equal(t.exec('a', ['sysctl', '-n', 'net.ipv4.ip_forward']).stdout.trim(), '1')
      assert.match(t.ip('b', '-o', 'addr', 'show', 'dev', 'lo'), /203\.0\.113\.77\/32/)
      // a frame from a through the switch to b and back
      assert.equal(t.exec('a', ['ping', '-c', '1', '-W', '2', '10.77.0.2']).code, 0, 'a reaches b through the bridge')
      // a process left running inside: tear-down ends it by PID
      child = spawn('ip', ['netns', 'exec', t.ns.b, 'sleep', '600'], {stdio: 'ignore'})
      for (let i = 0; i < 50 && t.pids('b').length === 0; i++) await new Promise((r) => setTimeout(r, 20))
      sleeper = t.pids('b')[0]
      assert.ok(sleeper > 0 && child.pid === sleeper, `the sleeper runs in b (${t.pids('b').join(',')})`)
    })
    assert.deepEqual(names.filter(exists), [], 'every namespace deleted')
    // (our own child: ended means it exited, killed, not merely a zombie we have not reaped yet)
    const ended = child!.exitCode !== null || child!.signalCode !== null || await new Promise((r) => { child!.once('exit', () => r(true)); setTimeout(() => r(false), 3000) })
    assert.ok(ended, 'the process left inside was ended')
    assert.equal(child!.signalCode, 'SIGKILL')
  })

  it('shapes and IPv6: the test WAN (wanShape) into an ISP node with IPv6, -6 routes and rules, a bridge\'s own sysctls', async () => {
    const wan = wanShape<'gw' | 'isp' | 'sw'>('gw', {isp: 'isp', table: 251, ipv6: true})
    await withTopology({
      prefix: 'hat-topo-', suffix: `w${suffix}`,
      nodes: mergeNodes<'gw' | 'isp' | 'sw'>(
        {gw: {rules: ['-6 priority 32770 lookup 251', 'priority 32770 lookup 251']}, isp: {}, sw: {bridges: [{dev: 'br0', sysctls: {'net.ipv6.conf.br0.disable_ipv6': 1}}]}},
        wan.nodes,
      ),
      links: wan.links,
    }, async (t) => {
      assert.match(t.ip('gw', '-o', 'addr', 'show', 'dev', 'wan0'), new RegExp(`inet ${TEST_WAN.address}[\\s\\S]*inet6 ${TEST_WAN.address6}`))
      assert.match(t.ip('gw', 'route', 'show', 'table', '251'), new RegExp(`^default via ${TEST_WAN.gateway} dev wan0`))
      assert.match(t.ip('gw', '-6', 'route', 'show', 'table', '251'), new RegExp(`^default via ${TEST_WAN.gateway6} dev wan0`))
      assert.match(t.ip('gw', '-6', 'rule', 'show'), /^32770:\s+from all lookup 251/m)
      assert.match(t.ip('gw', '-4', 'rule', 'show'), /^32770:\s+from all lookup 251/m)
      assert.equal(t.exec('gw', ['sysctl', '-n', 'net.ipv6.conf.wan0.accept_dad']).stdout.trim(), '0', 'no DAD on the IPv6 WAN')
      assert.equal(t.exec('sw', ['sysctl', '-n', 'net.ipv6.conf.br0.disable_ipv6']).stdout.trim(), '1')
      assert.equal(t.exec('gw', ['ping', '-c', '1', '-W', '2', TEST_WAN.gateway]).code, 0, 'the ISP answers over IPv4')
      assert.equal(t.exec('gw', ['ping', '-6', '-c', '1', '-W', '2', TEST_WAN.gateway6]).code, 0, 'and over IPv6')
    })
  })

  it('the prefix-delegation lab\'s shapes (pd-lab.ts): a node\'s default sysctl reaches what is built after it, ends left down, one MAC on two nodes, both ends in one node', async () => {
    const mac = '02:00:5e:10:00:77'
    await withTopology({
      prefix: 'hat-topo-', suffix: `p${suffix}`,
      nodes: {isp: {sysctls: {'net.ipv6.conf.default.accept_dad': 0}, bridges: [{dev: 'br0', addrs: ['2001:db8:77::1/64']}]}, g1: {}, g2: {}},
      links: [
        // the carrier port: both ends in the ISP node, so br0 runs with every gateway's end down
        [{node: 'isp', dev: 'up0', master: 'br0'}, {node: 'isp', dev: 'up0p'}],
        [{node: 'g1', dev: 'wan0', mac, up: false}, {node: 'isp', dev: 'p1', master: 'br0'}],
        [{node: 'g2', dev: 'wan0', mac, up: false}, {node: 'isp', dev: 'p2', master: 'br0'}],
      ],
    }, async (t) => {
      for (const dev of ['br0', 'up0', 'up0p', 'p1', 'p2']) {
        assert.equal(t.exec('isp', ['sysctl', '-n', `net.ipv6.conf.${dev}.accept_dad`]).stdout.trim(), '0', `${dev}: no DAD, from the node's default`)
      }
      assert.doesNotMatch(t.ip('isp', '-6', 'addr', 'show', 'dev', 'br0'), /tentative/, 'br0\'s address is usable at once')
      assert.match(t.ip('isp', '-o', 'link', 'show', 'up0p'), /state UP/)
      assert.match(t.ip('isp', '-o', 'link', 'show', 'br0'), /state UP/, 'br0 has carrier through the port whose peer is in the same node')
      for (const g of ['g1', 'g2'] as const) {
        const wan = t.ip(g, '-o', 'link', 'show', 'wan0')
        assert.match(wan, new RegExp(`link/ether ${mac} `))
        assert.doesNotMatch(wan, /<[^>]*\bUP\b[^>]*>/, `${g}'s wan0 stays down`)
      }
      assert.match(t.ip('isp', '-o', 'link', 'show', 'p1'), /NO-CARRIER/)
      t.ip('g1', 'link', 'set', 'wan0', 'up')
      for (let i = 0; i < 50 && /NO-CARRIER/.test(t.ip('isp', '-o', 'link', 'show', 'p1')); i++) await new Promise((r) => setTimeout(r, 20))
      assert.doesNotMatch(t.ip('isp', '-o', 'link', 'show', 'p1'), /NO-CARRIER/, 'raising wan0 brings its port up')
    })
  })

  it('a build that fails half-way leaves no namespace behind; names must start with hat-', () => {
    assert.throws(() => buildTopology({prefix: 'hat-topo-', suffix: `f${suffix}`, nodes: {a: {}, b: {routes: ['default via 10.78.0.1 dev nosuchdev']}}}), /nosuchdev|Cannot find device/)
    assert.deepEqual([`hat-topo-af${suffix}`, `hat-topo-bf${suffix}`].filter(exists), [])
    assert.throws(() => buildTopology({prefix: 'test-', nodes: {a: {}}}), /must start with hat-/)
    assert.throws(() => buildTopology({prefix: 'hat-topo-', names: {a: 'other-a'}, nodes: {a: {}}}), /must start with hat-/)
  })
})
