// The examples as the real daemons read them, for several configs (LAN prefixes /24, /25, /22, /26;
// dnsmasq settings on and off; both wan.link modes): keepalived -t (both modes), nft -c and a real
// load, dnsmasq --test and a real DHCP lease handed to a client in another namespace (dnsmasq only
// checks a range against the netmask when a request comes), and conntrackd started on its example.
import assert from 'node:assert/strict'
import {mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {before, describe, test} from 'node:test'
import {withNetworkdLab, networkdLabSkipReason} from '../../support/networkd-lab.js'
import {BIN, cleanEnv, ensureBuilt, hasProgram, runCli, withTempDir} from '../../support/spawn.js'
import {must, netnsSkipReason, sh, startIn, waitFor, withNetns} from './netns.js'
import {withTopology} from '../../support/topology.js'

before(() => ensureBuilt())

type Variant = {
  name: string
  lan: {address: string; vip: string}
  sync: string
  wan: string[]
  dnsmasq: string[]
  /** What a client must be leased: first and last address of the derived range. */
  range: [string, string]
  /** lan.ipv6: the IPv6 instance in a sync group, RA from its link-local VIP, IPv6 in conntrackd and nftables. */
  lan6?: {vip6: string; linkLocal: string}
  /** [keepalived] keys (preemption, written into both instances of a sync group) */
  keepalived?: string[]
}

export const VARIANTS: Variant[] = [
  {name: '/24 keep-up, dnsmasq defaults', lan: {address: '192.168.1.1/24', vip: '192.168.1.3'}, sync: '192.168.190.1/29', wan: ['link = "keep-up"'], dnsmasq: [], range: ['192.168.1.4', '192.168.1.254']},
  {name: '/25 down-on-backup netlink, leasefile_ro + restart + no lease_max', lan: {address: '192.168.1.130/25', vip: '192.168.1.200'}, sync: '10.9.0.2/30', wan: ['link = "down-on-backup"', 'link_via = "netlink"'], dnsmasq: ['leasefile_ro = true', 'lease_max = 0', 'apply = "restart"'], range: ['192.168.1.131', '192.168.1.199']},
  {name: '/22 keep-up without silence, apply dbus + lease_max 250', lan: {address: '10.20.0.2/22', vip: '10.20.0.3'}, sync: '192.168.190.2/29', wan: ['link = "keep-up"', 'silence = "none"', 'dhcpv6 = false'], dnsmasq: ['apply = "dbus"', 'lease_max = 250'], range: ['10.20.0.4', '10.20.3.254']},
  {name: '/26 down-on-backup networkd', lan: {address: '172.16.5.129/26', vip: '172.16.5.190'}, sync: '172.16.9.1/29', wan: ['link = "down-on-backup"', 'link_via = "networkd"'], dnsmasq: ['apply = "auto"'], range: ['172.16.5.131', '172.16.5.189']},
  // active/active: the upper node's own half; its file lists the lower half too, never for a DISCOVER, so a new client gets the upper half only
  {name: '/24 keep-up active/active (stop_on_backup = false), the upper node', lan: {address: '192.168.1.2/24', vip: '192.168.1.3'}, sync: '192.168.190.2/29', wan: ['link = "keep-up"'], dnsmasq: ['stop_on_backup = false'], range: ['192.168.1.129', '192.168.1.254']},
  {name: '/24 keep-up dual stack (lan.ipv6, a ULA /64)', lan: {address: '192.168.7.1/24', vip: '192.168.7.3'}, sync: '192.168.190.1/29', wan: ['link = "keep-up"'], dnsmasq: [], range: ['192.168.7.4', '192.168.7.254'], lan6: {vip6: 'fd00:7::1/64', linkLocal: 'fe80::7:1'}, keepalived: ['preempt = true', 'preempt_delay_ms = 1250']},
]

/** One node's ha-tool config for a variant; ha-tool is called by this checkout's bin/run.js. */
function writeConfig(dir: string, v: Variant): string {
  const path = join(dir, 'config.toml')
  mkdirSync(join(dir, 'state'), {recursive: true})
  writeFileSync(path, [
    '[wan]', 'interface = "wan0"', ...v.wan,
    '[lan]', 'interface = "lan0"', `address = "${v.lan.address}"`, `vip = "${v.lan.vip}"`,
    ...(v.lan6 ? ['ipv6 = true', `vip6 = "${v.lan6.vip6}"`, `vip6_link_local = "${v.lan6.linkLocal}"`] : []),
    ...(v.lan6 || v.keepalived ? ['[keepalived]', ...(v.lan6 ? ['instance = "VI_gateway"'] : []), ...(v.keepalived ?? [])] : []),
    '[sync]', 'interface = "sync0"', `address = "${v.sync}"`,
    '[state]', `dir = "${dir}/state"`,
    '[dnsmasq]', 'enabled = true', `leases = "${dir}/dnsmasq.leases"`, `pid_file = "${dir}/dnsmasq.pid"`, ...v.dnsmasq,
    '[doctor]', `binary = "${BIN}"`, '',
  ].join('\n'))
  return path
}

async function example(kind: string, config: string, ...more: string[]): Promise<string> {
  const r = await runCli(['config', 'example', kind, '--config', config, ...more], {env: cleanEnv()})
  assert.equal(r.code, 0, r.stderr)
  return r.stdout
}

const skipWhy = (...programs: string[]) => netnsSkipReason() ?? programs.filter((p) => !hasProgram(p)).map((p) => `${p} is not installed (scripts/install-system-deps)`)[0]
const other = (cidr: string) => {
  const [ip, prefix] = cidr.split('/')
  const p = ip.split('.').map(Number)
  p[3] = p[3] % 2 === 1 ? p[3] + 1 : p[3] - 1
  return `${p.join('.')}/${prefix}`
}

describe('config example output, read by the real programs', () => {
  test('every variant is a valid config (config validate)', async () => {
    await withTempDir(async (dir) => {
      for (const v of VARIANTS) {
        const r = await runCli(['config', 'validate', writeConfig(dir, v)], {env: cleanEnv()})
        assert.equal(r.code, 0, `${v.name}: ${r.stdout}${r.stderr}`)
      }
    })
  })

  test('a LAN prefix too small for a DHCP range: config example dnsmasq and config validate exit 78 naming lan.address', async () => {
    await withTempDir(async (dir) => {
      const config = writeConfig(dir, {...VARIANTS[0], lan: {address: '10.0.0.1/30', vip: '10.0.0.2'}})
      const ex = await runCli(['config', 'example', 'dnsmasq', '--config', config], {env: cleanEnv()})
      assert.equal(ex.code, 78, ex.stderr)
      assert.equal(ex.stdout, '')
      assert.match(ex.stderr, /lan\.address: 10\.0\.0\.1\/30: the 10\.0\.0\.0\/30 subnet has no address left for a DHCP range/)
      const val = await runCli(['config', 'validate', config], {env: cleanEnv()})
      assert.equal(val.code, 78)
      assert.match(val.stdout + val.stderr, /lan\.address: .*no address left for a DHCP range/)
      // With dnsmasq off the config is fine, and only the dnsmasq example refuses.
      writeFileSync(config, readFileSync(config, 'utf8').replace('enabled = true', 'enabled = false'))
      assert.equal((await runCli(['config', 'validate', config], {env: cleanEnv()})).code, 0)
      const off = await runCli(['config', 'example', 'dnsmasq', '--config', config], {env: cleanEnv()})
      assert.equal(off.code, 78)
      assert.equal(off.stdout, '')
      assert.match(off.stderr, /lan\.address = "10\.0\.0\.1\/30": the 10\.0\.0\.0\/30 subnet has no address left for a DHCP range/)
    })
  })

  test('keepalived -t accepts the fifo and the script mode of every variant (script security on, scripts found)', async (t) => {
    const why = skipWhy('keepalived')
    if (why) { t.skip(why); return }
    await withTempDir(async (dir) => {
      await withNetns('kat', ['lan0', 'wan0'], async (ns) => {
        for (const [i, v] of VARIANTS.entries()) {
          const sub = join(dir, String(i))
          mkdirSync(sub)
          const config = writeConfig(sub, v)
          for (const mode of ['fifo', 'script']) {
            const text = await example('keepalived', config, '--mode', mode)
            assert.match(text, /^track_file ha_tool \{/m)
            assert.equal(/^vrrp_sync_group VI_gateway_group \{/m.test(text), Boolean(v.lan6), `${v.name} ${mode}: the sync group only with lan.ipv6`)
            // keepalived.preempt: preempt_delay (in seconds) in every instance instead of nopreempt
            assert.equal(/^\s*nopreempt$/m.test(text), !v.keepalived, `${v.name} ${mode}: nopreempt unless keepalived.preempt`)
            if (v.keepalived) assert.equal(text.match(/^\s*preempt_delay 1\.25$/gm)?.length, 2, `${v.name} ${mode}: preempt_delay in both instances`)
            const conf = join(sub, `keepalived-${mode}.conf`)
            writeFileSync(conf, text)
            const r = sh(['ip', 'netns', 'exec', ns, 'keepalived', '-t', '-l', '-f', conf])
            assert.equal(r.code, 0, `${v.name} ${mode}: keepalived -t exit ${r.code}: ${r.stderr}`)
            // Nothing keepalived would warn about: no deprecated keyword, no missing max_auto_priority.
            assert.doesNotMatch(r.stderr, /deprecated|max_auto_priority|preempt/, `${v.name} ${mode}: ${r.stderr}`)
          }
        }
      })
    })
  })

  test('a relative --config is written into keepalived.conf as an absolute path', async (t) => {
    const why = skipWhy('keepalived')
    if (why) { t.skip(why); return }
    await withTempDir(async (dir) => {
      writeConfig(dir, VARIANTS[1])
      const r = await runCli(['config', 'example', 'keepalived', '--mode', 'script', '--config', 'config.toml'], {env: cleanEnv(), cwd: dir})
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, new RegExp(`notify "${BIN} notify --config ${dir}/config.toml"`))
      assert.doesNotMatch(r.stdout, /--config config\.toml/)
    })
  })

  test('nft -c accepts, and nft loads, the nftables example of every variant', async (t) => {
    const why = skipWhy('nft')
    if (why) { t.skip(why); return }
    await withTempDir(async (dir) => {
      await withNetns('nft', ['lan0', 'wan0'], async (ns) => {
        for (const [i, v] of VARIANTS.entries()) {
          const sub = join(dir, String(i))
          mkdirSync(sub)
          const file = join(sub, 'nftables.conf')
          writeFileSync(file, await example('nftables', writeConfig(sub, v)))
          const r = sh(['ip', 'netns', 'exec', ns, 'nft', '-c', '-f', file])
          assert.equal(r.code, 0, `${v.name}: ${r.stderr}`)
          must(['ip', 'netns', 'exec', ns, 'nft', '-f', file])
          const lans = v.lan6 ? '"lan0", "vrrp\\.60", "vrrp6\\.60"' : '"lan0", "vrrp\\.60"'
          const forward = must(['ip', 'netns', 'exec', ns, 'nft', 'list', 'chain', 'inet', 'ha_tool_filter', 'forward'])
          assert.match(forward, new RegExp(`iifname \\{ ${lans} \\} oifname \\{ ${lans} \\} drop`), v.name)
          // IPv6 is routed, not NATed: with lan.ipv6 only answers and ICMPv6 come in from the WAN.
          assert.equal(/iifname "wan0" meta nfproto ipv6 drop/.test(forward), Boolean(v.lan6), v.name)
          // wan.ipv6 (default): neighbour discovery and DHCPv6 replies reach the node through the WAN input filter.
          assert.match(must(['ip', 'netns', 'exec', ns, 'nft', 'list', 'chain', 'inet', 'ha_tool_filter', 'input']), /iifname "wan0" ip6 saddr fe80::\/10 udp sport 547 udp dport 546 accept/)
        }
      })
    })
  })

  test('dnsmasq --test accepts, and a real dnsmasq leases a client an address in the derived range, for every variant', async (t) => {
    const why = skipWhy('dnsmasq', 'dhclient')
    if (why) { t.skip(why); return }
    await withTempDir(async (dir) => {
      for (const [i, v] of VARIANTS.entries()) {
        const sub = join(dir, String(i))
        mkdirSync(sub)
        const text = await example('dnsmasq', writeConfig(sub, v))
        const file = join(sub, 'dnsmasq.conf')
        // The lease hook pushes to a peer this test does not have; D-Bus needs the system bus.
        writeFileSync(file, text.replace(/^dhcp-script=.*$/m, '').replace(/^enable-dbus.*$/m, ''))
        const r = sh(['dnsmasq', '--test', '-C', join(sub, 'dnsmasq.conf')])
        assert.equal(r.code, 0, `${v.name}: ${r.stderr}`)
        assert.match(r.stderr, /syntax check OK/)
        // The D-Bus line is there when apply wants it; dnsmasq --test reads it too.
        writeFileSync(join(sub, 'full.conf'), text.replace(/^dhcp-script=.*$/m, ''))
        assert.equal(sh(['dnsmasq', '--test', '-C', join(sub, 'full.conf')]).code, 0)
        // the gateway's lan0 (lan.address) and the client's lan0p at its other end, in a namespace of its own
        await withTopology({prefix: `hat-h8-dhcp${i}-`, suffix: String(process.pid), nodes: {gw: {}, c: {}}, links: [[{node: 'gw', dev: 'lan0', addrs: [v.lan.address]}, {node: 'c', dev: 'lan0p'}]]}, async (topo) => {
          const [ns, client] = [topo.ns.gw, topo.ns.c]
          const daemon = startIn(ns, ['dnsmasq', '--no-daemon', '--log-facility=-', '--port=0', '-C', file])
          try {
            const log = join(sub, 'dhclient.log')
            const script = join(sub, 'dhclient-script')
            writeFileSync(script, readFileSync(new URL('../../../scripts/lab-tools/dhclient-script.sh', import.meta.url), 'utf8').replace('@LOG@', log), {mode: 0o755})
            const dh = sh(['ip', 'netns', 'exec', client, 'timeout', '15', 'dhclient', '-1', '-v', '-sf', script, '-pf', join(sub, 'dhclient.pid'), '-lf', join(sub, 'dhclient.leases'), 'lan0p'])
            assert.equal(dh.code, 0, `${v.name}: dhclient exit ${dh.code}: ${dh.stderr}\ndnsmasq: ${daemon.output()}`)
            const addr = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(must(['ip', '-n', client, '-4', 'addr', 'show', 'lan0p']))?.[1]
            assert.ok(addr, `${v.name}: the client got no address`)
            const n = (ip: string) => ip.split('.').reduce((a, b) => a * 256 + Number(b), 0)
            assert.ok(n(addr) >= n(v.range[0]) && n(addr) <= n(v.range[1]), `${v.name}: leased ${addr}, outside ${v.range.join('-')}`)
            assert.doesNotMatch(daemon.output(), /not consistent with netmask/)
          } finally {
            sh(['pkill', '-F', join(sub, 'dhclient.pid')])
            await daemon.stop()
          }
        })
      }
    })
  })

  test('conntrackd runs on the conntrackd example of every variant and answers on its socket', async (t) => {
    const why = skipWhy('conntrackd')
    if (why) { t.skip(why); return }
    await withTempDir(async (dir) => {
      for (const [i, v] of VARIANTS.entries()) {
        const sub = join(dir, String(i))
        mkdirSync(sub)
        // Private lock and socket paths, so this never meets another conntrackd on the machine.
        const text = (await example('conntrackd', writeConfig(sub, v)))
          .replace('LockFile /var/lock/conntrackd.lock', `LockFile ${sub}/ct.lock`)
          .replace('Path /var/run/conntrackd.ctl', `Path ${sub}/ct.ctl`)
          .replace('LogFile on', `LogFile ${sub}/ct.log`)
        const file = join(sub, 'conntrackd.conf')
        writeFileSync(file, text)
        await withNetns(`ctd${i}`, ['sync0'], async (ns) => {
          must(['ip', '-n', ns, 'addr', 'add', v.sync, 'dev', 'sync0'])
          must(['ip', '-n', ns, 'addr', 'add', other(v.sync), 'dev', 'sync0p'])
          const daemon = startIn(ns, ['conntrackd', '-C', file])
          try {
            await waitFor(`${v.name}: conntrackd to answer -s`, () => sh(['ip', 'netns', 'exec', ns, 'conntrackd', '-C', file, '-s']).code === 0, 10_000)
            const stats = must(['ip', 'netns', 'exec', ns, 'conntrackd', '-C', file, '-s'])
            assert.match(stats, /cache internal/)
            assert.match(stats, /cache external/)
            if (v.lan6) {
              // IPv6 flows reach conntrackd's cache (TCP and ICMPv6 through its protocol filter); flows of the
              // IPv6 VIP are ignored like the IPv4 VIP's.
              const ct = (...a: string[]) => must(['ip', 'netns', 'exec', ns, 'conntrack', '-I', '-t', '120', ...a])
              ct('-s', '2001:db8:7::10', '-d', '2001:db8:9::20', '-p', 'tcp', '--sport', '40000', '--dport', '443', '--state', 'ESTABLISHED', '-u', 'ASSURED')
              ct('-s', '2001:db8:7::11', '-d', '2001:db8:9::20', '-p', 'icmpv6', '--icmpv6-type', '128', '--icmpv6-code', '0', '--icmpv6-id', '7')
              ct('-s', v.lan6.vip6.replace(/\/64$/, ''), '-d', '2001:db8:9::21', '-p', 'tcp', '--sport', '40001', '--dport', '443', '--state', 'ESTABLISHED', '-u', 'ASSURED')
              const cache = () => sh(['ip', 'netns', 'exec', ns, 'conntrackd', '-C', file, '-i']).stdout
              await waitFor(`${v.name}: the IPv6 TCP and ICMPv6 flows in conntrackd's cache`, () => cache().includes('src=2001:db8:7::10') && cache().includes('src=2001:db8:7::11'), 10_000)
              assert.doesNotMatch(cache(), /2001:db8:9::21/, `${v.name}: a flow of the IPv6 VIP was cached`)
            }
          } finally {
            await daemon.stop()
          }
        })
      }
    })
  })

  test('the real systemd-networkd applies the networkd example (WAN lease into wan.table, LAN address, fallback route and iif-lo rule, sync address) in every link mode, and its parser has nothing to say', async (t) => {
    const why = networkdLabSkipReason()
    if (why) { t.skip(why); return }
    await withTempDir(async (dir) => {
      for (const [i, v] of VARIANTS.entries()) {
        const sub = join(dir, String(i))
        mkdirSync(sub)
        const config = writeConfig(sub, v)
        // The files as `--output-dir` writes them, at their install paths under the directory.
        const root = join(sub, 'root')
        const listed = (await example('networkd', config, '--output-dir', root)).trim().split('\n')
        const text = await example('networkd', config)
        const paths = [...text.matchAll(/^# file: (.*)$/gm)].map((m) => m[1])
        assert.deepEqual(listed, paths.map((p) => `${root}${p}`), v.name)
        const files = Object.fromEntries(paths.map((p) => [p, readFileSync(`${root}${p}`, 'utf8')]))
        for (const p of paths) assert.equal(statSync(`${root}${p}`).mode & 0o777, 0o644, p)
        const wan = files['/etc/systemd/network/10-wan0-wan.network']
        const manual = /^ActivationPolicy=manual$/m.test(wan)
        assert.equal(manual, v.wan.includes('link_via = "netlink"') && v.wan.includes('link = "down-on-backup"'), v.name)
        assert.equal(/^DHCP=yes$/m.test(wan), !v.wan.includes('dhcpv6 = false'), `${v.name}: DHCP=`)
        await withNetworkdLab(`hat-t14-nd${i}`, {config}, async (lab) => {
          assert.equal(lab.wanNetwork, wan, `${v.name}: the lab's WAN file is the example's`)
          // The LAN and sync links, then the other example files, then networkd reloads them all.
          for (const l of ['lan0', 'sync0']) lab.link({dev: l, up: false}, {dev: `${l}p`})
          writeFileSync(join(lab.runtimeDir, '20-lan0-lan.network'), files['/etc/systemd/network/20-lan0-lan.network'], {mode: 0o644})
          writeFileSync(join(lab.runtimeDir, '30-sync0-sync.network'), files['/etc/systemd/network/30-sync0-sync.network'], {mode: 0o644})
          must(['busctl', `--address=${lab.busAddress}`, 'call', 'org.freedesktop.network1', '/org/freedesktop/network1', 'org.freedesktop.network1.Manager', 'Reload'])
          if (manual) {
            // ActivationPolicy=manual: networkd leaves the WAN down until ha-tool raises it on MASTER.
            await new Promise((r) => setTimeout(r, 1000))
            assert.doesNotMatch(lab.ip('link', 'show', 'dev', 'wan0'), /[<,]UP[,>]/, `${v.name}: networkd raised a manual WAN`)
            lab.ip('link', 'set', 'wan0', 'up')
          }
          await lab.waitLease(15_000)
          await waitFor(`${v.name}: LAN address, fallback route and rule, sync address`, () => {
            const lan = lab.ip('-4', 'addr', 'show', 'dev', 'lan0')
            const sync = lab.ip('-4', 'addr', 'show', 'dev', 'sync0')
            const route = lab.ip('route', 'show', 'table', '240')
            const rules = lab.ip('rule', 'show')
            return lan.includes(`inet ${v.lan.address}`) && sync.includes(`inet ${v.sync}`) && route.includes(`default via ${v.lan.vip}`) && /32780:\s+from all iif lo lookup 240/.test(rules)
          }, 15_000)
          // networkd's own parser: a key, section or value it does not take is logged as FILE:LINE: ... ignoring.
          const complaints = lab.networkdLog().split('\n').filter((l) => /\.network:\d+: /.test(l))
          assert.deepEqual(complaints, [], `${v.name}: networkd's parser`)
        })
      }
    })
  })
})
