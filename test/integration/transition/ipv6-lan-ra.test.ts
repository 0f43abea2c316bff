// IPv6 on the LAN with the real daemons (issue 19): two gateways run the keepalived.conf and dnsmasq.conf
// that `ha-tool config example` prints with lan.ipv6 = true, and `ha-tool daemon` drives dnsmasq with the
// role. A LAN client (SLAAC, on a bridge that is the LAN switch) must see router advertisements from the
// MASTER only, counted per gateway cable on the switch, and keep its IPv6 default router (the link-local
// VIP, same virtual MAC) and its address across failovers: keepalived stopped, the MASTER's LAN link down,
// `ha-tool maintenance on` (the IPv4 instance's track_file: the sync group must move the IPv6 one too).
// A second round keeps dnsmasq running on the BACKUP too (dnsmasq.stop_on_backup = false): the BACKUP
// still sends no RA, because keepalived gives vrrp6.<vrid> its link-local address only on the MASTER.
import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {before, describe, test} from 'node:test'
import {BIN, cleanEnv, ensureBuilt, hasProgram, runCli, withTempDir} from '../../support/spawn.js'
import {must, netnsSkipReason, sh, startIn, waitFor} from '../operate/netns.js'
import {buildTopology, type End, mergeNodes, type Topology, wanShape} from '../../support/topology.js'

before(() => ensureBuilt())

const VRID = 61
const LL = 'fe80::1'
const VIP6 = 'fd00:61::1'
const VMAC6 = `vrrp6.${VRID}`
const VMAC_MAC = `00:00:5e:00:02:${VRID.toString(16).padStart(2, '0')}`
const GWS = ['1', '2'] as const
type Gw = (typeof GWS)[number]

const skipWhy = () => netnsSkipReason() ?? ['keepalived', 'dnsmasq', 'nft'].filter((p) => !hasProgram(p)).map((p) => `${p} is not installed (scripts/install-system-deps)`)[0]

describe('IPv6 on the LAN: router advertisements from the MASTER only, the default router kept across failovers', () => {
  for (const stopOnBackup of [true, false]) {
    test(`dnsmasq.stop_on_backup = ${stopOnBackup}`, {timeout: 180_000}, async (t) => {
      const why = skipWhy()
      if (why) { t.skip(why); return }
      await withTempDir(async (dir) => {
        chmodSync(dir, 0o755)
        await withPair(dir, stopOnBackup, async (pair) => {
          const {client, ras, gw, start, masterOf} = pair
          await start('1')
          await waitFor('gw1 MASTER holding the IPv6 VIPs', () => gw('1').holdsVip6(), 15_000)
          await start('2')
          await sleep(1500) // gw2 hears gw1's adverts and settles as BACKUP
          assert.equal(gw('2').holdsVip6(), false, 'gw2 took the IPv6 VIPs while gw1 is MASTER')
          assert.equal(gw('1').holdsVip4(), true, 'the sync group keeps both VIPs on one node')
          // The client's IPv6 comes up now: its router solicitations reach both gateways.
          client.up()
          await waitFor('the client\'s default route via the link-local VIP and a SLAAC address in the VIP\'s /64', () => client.defaultRouter() === LL && client.slaac() !== undefined, 20_000)
          const address = client.slaac()!
          await sleep(2000)
          const before = ras()
          assert.ok(before['1'] > 0, 'the MASTER sent no router advertisement')
          assert.equal(before['2'], 0, 'the BACKUP sent router advertisements')
          assert.equal(gw('2').dnsmasqRuns(), !stopOnBackup, `dnsmasq on the BACKUP: ${gw('2').dnsmasqRuns()}`)
          assert.equal(client.neighbourMac(), VMAC_MAC)

          // Failover 1: gw1's keepalived stops.
          const watch = client.watchRouter()
          await gw('1').stopKeepalived()
          await waitFor('gw2 MASTER holding the IPv6 VIPs', () => gw('2').holdsVip6() && !gw('1').holdsVip6(), 15_000)
          await waitFor('the new MASTER\'s router advertisements', () => ras()['2'] > 0, 15_000)
          await afterFailover(pair, address, watch, 'keepalived stopped on gw1')
          const r1 = ras()['1']

          // gw1 comes back: BACKUP (nopreempt), and silent.
          await start('1')
          await sleep(3000)
          assert.equal(masterOf(), '2')
          assert.equal(ras()['1'], r1, 'the returning BACKUP sent router advertisements')

          // Failover 2: the MASTER's LAN link goes down.
          const watch2 = client.watchRouter()
          const r2 = ras()['2']
          gw('2').lanDown()
          await waitFor('gw1 MASTER again', () => gw('1').holdsVip6(), 15_000)
          await waitFor('gw1\'s router advertisements', () => ras()['1'] > r1, 15_000)
          await afterFailover(pair, address, watch2, 'gw2\'s LAN link down')
          assert.equal(ras()['2'], r2, 'gw2 advertised with its LAN link down')

          // Failover 3: `ha-tool maintenance on` sets the track_file of the IPv4 instance only; the sync
          // group must take the IPv6 instance along.
          gw('2').lanUp()
          await sleep(1500)
          assert.equal(masterOf(), '1')
          const watch3 = client.watchRouter()
          const r3 = ras()['2']
          await gw('1').maintenance('on')
          await waitFor('gw2 MASTER holding both VIPs after maintenance on gw1', () => gw('2').holdsVip6() && gw('2').holdsVip4() && !gw('1').holdsVip6() && !gw('1').holdsVip4(), 15_000)
          await waitFor('gw2\'s router advertisements', () => ras()['2'] > r3, 15_000)
          await afterFailover(pair, address, watch3, 'maintenance on gw1')
        })
      })
    })
  }
})

/** What must hold after each failover, seen from the client. */
async function afterFailover(pair: Pair, address: string, watch: () => string[], what: string): Promise<void> {
  const {client} = pair
  // The ping goes to the virtual MAC: only the MASTER receives it.
  await waitFor(`${what}: the client reaches the IPv6 VIP`, () => client.ping(VIP6), 10_000)
  const seen = watch()
  assert.deepEqual([...new Set(seen)], [LL], `${what}: the client's default router changed or vanished: ${seen.join(' ')}`)
  assert.equal(client.defaultRouter(), LL, what)
  assert.equal(client.neighbourMac(), VMAC_MAC, `${what}: the router's MAC changed`)
  // No RA deprecated the prefix (the stopping MASTER's dnsmasq sent none from the link-local VIP).
  assert.equal(client.slaac(), address, `${what}: the client's SLAAC address changed or was deprecated`)
}

type GwHandle = {
  holdsVip6(): boolean
  holdsVip4(): boolean
  dnsmasqRuns(): boolean
  stopKeepalived(): Promise<void>
  lanDown(): void
  lanUp(): void
  maintenance(what: 'on' | 'off'): Promise<void>
}
type Pair = {
  client: {
    up(): void
    defaultRouter(): string | undefined
    slaac(): string | undefined
    neighbourMac(): string | undefined
    ping(address: string): boolean
    /** Samples the default router every 50 ms until called again; returns what it saw ("none" when there was none). */
    watchRouter(): () => string[]
  }
  /** Router advertisements that came in on each gateway's cable, counted at the LAN switch. */
  ras(): Record<Gw, number>
  gw(n: Gw): GwHandle
  start(n: Gw): Promise<void>
  masterOf(): Gw | undefined
}

async function withPair(dir: string, stopOnBackup: boolean, fn: (pair: Pair) => Promise<void>): Promise<void> {
  const tag = `hat-v6ra${process.pid % 10000}`
  const ns = {c: `${tag}-c`, '1': `${tag}-1`, '2': `${tag}-2`}
  const procs: Array<{stop(): Promise<void>}> = []
  const keepalived: Partial<Record<Gw, {stop(): Promise<void>}>> = {}
  const daemons: Partial<Record<Gw, boolean>> = {}
  const paths = (n: Gw) => {
    const d = join(dir, `gw${n}`)
    return {d, config: join(d, 'ha-tool.toml'), ka: join(d, 'keepalived.conf'), dm: join(d, 'dnsmasq.conf'), pid: join(d, 'dnsmasq.pid'), state: join(d, 'state')}
  }
  let topology: Topology<'c' | Gw> | undefined
  try {
    // The LAN switch is the client's own interface, as in the lab; the client's IPv6 stays off until it starts.
    // Each gateway: lan0 on the switch, and the test WAN (wan0 with its far end isp0 in the node).
    const wans = GWS.map((n) => wanShape<'c' | Gw>(n))
    topology = buildTopology<'c' | Gw>({
      prefix: 'hat-', names: ns,
      nodes: mergeNodes<'c' | Gw>(
        {c: {bridges: [{dev: 'lanbr', sysctls: {'net.ipv6.conf.lanbr.accept_dad': 0, 'net.ipv6.conf.lanbr.disable_ipv6': 1}}]}},
        ...GWS.map((n) => ({[n]: {sysctls: {'net.ipv6.conf.all.forwarding': 1}}})),
        ...wans.map((w) => w.nodes),
      ),
      links: [
        ...GWS.map((n): [End<'c' | Gw>, End<'c' | Gw>] => [{node: n, dev: 'lan0', addrs: [`192.168.61.${n}/24`]}, {node: 'c', dev: `lan-gw${n}`, master: 'lanbr'}]),
        ...wans.flatMap((w) => w.links),
      ],
    })
    for (const n of GWS) {
      const p = paths(n)
      mkdirSync(p.state, {recursive: true})
      writeFileSync(p.config, [
        '[wan]', 'interface = "wan0"', 'link = "keep-up"', 'silence = "none"', 'up_timeout_ms = 2000',
        '[lan]', 'interface = "lan0"', `address = "192.168.61.${n}/24"`, 'vip = "192.168.61.3"', `vrid = ${VRID}`,
        'ipv6 = true', `vip6 = "${VIP6}/64"`, `vip6_link_local = "${LL}"`,
        '[keepalived]', 'instance = "VI_gateway"', 'advert_int_ms = 100', 'dbus = false',
        `config = "${p.ka}"`, `pidfile = "${join(p.d, 'keepalived.pid')}"`, `fifo = "${join(p.d, 'notify.fifo')}"`,
        '[dnsmasq]', 'enabled = true', `stop_on_backup = ${stopOnBackup}`, 'apply = "restart"', 'sync_schedule = ""',
        `leases = "${join(p.d, 'dnsmasq.leases')}"`, `pid_file = "${p.pid}"`, `queue_dir = "${join(p.state, 'queue')}"`,
        `start_command = ["dnsmasq", "-C", "${p.dm}", "--log-facility=${join(p.d, 'dnsmasq.log')}"]`,
        `stop_command = ["pkill", "-F", "${p.pid}"]`,
        // No peer in this bed: the lease pull on MASTER fails at once on a closed loopback port.
        '[peer]', 'timeout_ms = 300', 'destination = "root@127.0.0.1"', 'port = 9',
        '[state]', `dir = "${p.state}"`,
        '[log]', `file = "${join(p.d, 'ha-tool.log')}"`, 'level = "debug"',
        '[doctor]', `binary = "${BIN}"`, '',
      ].join('\n'))
      const example = async (kind: string, ...more: string[]) => {
        const r = await runCli(['config', 'example', kind, '--config', p.config, ...more], {env: cleanEnv()})
        assert.equal(r.code, 0, r.stderr)
        return r.stdout
      }
      // The shipped files; only what this bed cannot have comes out: no system bus (enable_dbus), no
      // installed lease hook, no upstream DNS.
      writeFileSync(p.ka, (await example('keepalived', '--mode', 'fifo')).replace(/^\s*enable_dbus\n/m, ''))
      writeFileSync(p.dm, `${(await example('dnsmasq')).replace(/^dhcp-script=.*\n/m, '').replace(/^enable-dbus.*\n/m, '')}port=0\n`)
    }
    must(['ip', 'netns', 'exec', ns.c, 'nft', '-f', '-'], `table netdev ra {\n${GWS.map((n) => `  chain in${n} { type filter hook ingress device "lan-gw${n}" priority 0; icmpv6 type nd-router-advert counter; }`).join('\n')}\n}\n`)
    const inNs = (n: string, argv: string[]) => sh(['ip', 'netns', 'exec', n, ...argv])
    const holds = (n: Gw, dev: string, addr: string) => sh(['ip', '-n', ns[n], 'addr', 'show', 'dev', dev]).stdout.includes(` ${addr}/`)
    const gw = (n: Gw): GwHandle => ({
      holdsVip6: () => holds(n, VMAC6, LL) && holds(n, VMAC6, VIP6),
      holdsVip4: () => holds(n, `vrrp.${VRID}`, '192.168.61.3'),
      dnsmasqRuns: () => inNs(ns[n], ['pkill', '-0', '-F', paths(n).pid]).code === 0,
      stopKeepalived: async () => { await keepalived[n]?.stop(); keepalived[n] = undefined },
      lanDown: () => { must(['ip', '-n', ns[n], 'link', 'set', 'lan0', 'down']) },
      lanUp: () => { must(['ip', '-n', ns[n], 'link', 'set', 'lan0', 'up']) },
      maintenance: async (what) => {
        const r = await runCli(['maintenance', what, '--config', paths(n).config], {env: cleanEnv()})
        assert.equal(r.code, 0, `maintenance ${what}: ${r.stdout}${r.stderr}`)
      },
    })
    const client: Pair['client'] = {
      up: () => { must(['ip', 'netns', 'exec', ns.c, 'sysctl', '-qw', 'net.ipv6.conf.lanbr.disable_ipv6=0']) },
      defaultRouter: () => /default via (\S+) dev lanbr proto ra/.exec(sh(['ip', '-n', ns.c, '-6', 'route', 'show', 'default']).stdout)?.[1],
      slaac: () => {
        // A usable (preferred) SLAAC address in the VIP's /64: "deprecated" would mean an RA withdrew it.
        const out = sh(['ip', '-n', ns.c, '-6', 'addr', 'show', 'dev', 'lanbr', 'scope', 'global']).stdout
        return /inet6 (fd00:61::[0-9a-f:]+)\/64 scope global dynamic (?!.*deprecated)/.exec(out)?.[1]
      },
      neighbourMac: () => /lladdr (\S+)/.exec(sh(['ip', '-n', ns.c, '-6', 'neigh', 'show', LL, 'dev', 'lanbr']).stdout)?.[1],
      ping: (a) => inNs(ns.c, ['ping', '-6', '-c', '1', '-W', '1', a]).code === 0,
      watchRouter: () => {
        const seen: string[] = []
        const timer = setInterval(() => seen.push(client.defaultRouter() ?? 'none'), 50)
        return () => { clearInterval(timer); return seen }
      },
    }
    const ras = () => {
      const out = must(['ip', 'netns', 'exec', ns.c, 'nft', 'list', 'table', 'netdev', 'ra'])
      const count = (n: Gw) => Number(new RegExp(`chain in${n} \\{[^}]*counter packets (\\d+)`).exec(out)?.[1] ?? Number.NaN)
      return {'1': count('1'), '2': count('2')}
    }
    const start = async (n: Gw) => {
      const p = paths(n)
      if (!daemons[n]) {
        procs.push(startIn(ns[n], [process.execPath, BIN, 'daemon', '--config', p.config]))
        daemons[n] = true
        await sleep(500)
      }
      if (!stopOnBackup && inNs(ns[n], ['pkill', '-0', '-F', p.pid]).code !== 0) {
        // Serving on both nodes: dnsmasq runs from boot, whatever the role.
        must(['ip', 'netns', 'exec', ns[n], 'dnsmasq', '-C', p.dm, `--log-facility=${join(p.d, 'dnsmasq.log')}`])
      }
      const ka = startIn(ns[n], ['keepalived', '-n', '-l', '-D', '-f', p.ka, '-p', join(p.d, 'keepalived.pid'), '-r', join(p.d, 'vrrp.pid')])
      keepalived[n] = ka
      procs.push(ka)
    }
    const masterOf = () => GWS.find((n) => gw(n).holdsVip6())
    await fn({client, ras, gw, start, masterOf})
  } finally {
    for (const p of procs.reverse()) await p.stop()
    for (const n of GWS) {
      // dnsmasq daemonizes: ended by the PID in its own pid file.
      sh(['pkill', '-F', paths(n).pid])
    }
    topology?.destroy()
  }
}
