// The delegated prefix reaches the LAN's clients, from the MASTER only (issue 19), with every daemon real:
// Kea delegates prefixes to two gateways sharing the cloned MAC (test/support/pd-lab.ts); each gateway
// runs networkd on the example's WAN and LAN files, keepalived and dnsmasq on the example's files, and
// `ha-tool daemon` (wan.link = "down-on-backup": the WAN, and so the delegation, is up only on MASTER).
// A SLAAC client on the LAN switch must get an address in the LAN /64 of the delegated prefix and a default
// route via the link-local VIP; keep both across a failover; follow a renumbering by the ISP within one RA
// interval, the old /64 deprecated; and see router advertisements from the MASTER only (counted per
// gateway cable at the switch). Without `no-dhcpv6-interface=<lan>` the MASTER's dnsmasq also advertises
// from its LAN interface (a second router, the node's own link-local address): the last round shows it.
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {before, describe, test} from 'node:test'
import {RA_INTERVAL_S} from '../../../src/core/examples/dnsmasq.js'
import {parseIpv6} from '../../../src/core/parse/ipv6.js'
import {formatIpv6, inPrefix} from '../../../src/core/transition/lan-prefix.js'
import {type PdGateway, pdLabSkipReason, withPdLab} from '../../support/pd-lab.js'
import {BIN, cleanEnv, ensureBuilt, hasProgram, runCli} from '../../support/spawn.js'
import {must, sh, startIn, waitFor} from '../operate/netns.js'

before(() => ensureBuilt())

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]
const VRID = pick([23, 61, 140])
const LL = 'fe80::1'
const VIP6 = `fd00:${VRID.toString(16)}::${pick(['1', 'a:b', '53'])}`
const VMAC6 = `vrrp6.${VRID}`
const SUBNET = pick([0, 3, 0xa]) // within a /60's 16 subnets
const skip = pdLabSkipReason() ?? (['keepalived', 'nft'].filter((p) => !hasProgram(p)).map((p) => `${p} is not installed (scripts/install-system-deps)`)[0])

type Addr = {local: string; prefixlen: number; preferred: number; deprecated: boolean}

describe('the delegated prefix in the LAN\'s router advertisements, from the MASTER only', {skip, timeout: 240_000}, () => {
  test('SLAAC in the delegated /64 via the link-local VIP; kept across a failover; a renumbering within one RA interval; no RA from the BACKUP', async () => {
    const pool = `2001:db8:${pick(['100', 'a5', '7c00'])}::/48`
    const next = `2001:db8:${pick(['200', 'b6', '8d00'])}::/48`
    const timers = {renew: 2, rebind: 4, preferred: 90, valid: 180}
    const procs: Array<{stop(): Promise<void>}> = []
    const keepalived: Array<{stop(): Promise<void>} | undefined> = [undefined, undefined]
    await withPdLab(`hat-pdra${process.pid % 1000}`, {
      pool, delegatedLength: pick([56, 60]), timers, lanSwitch: true,
      lan: `ipv6 = true\nvip6 = "${VIP6}/64"\nvip6_link_local = "${LL}"\nvrid = ${VRID}\npd_subnet_id = ${SUBNET}\n`,
      keepalived: (dir) => `instance = "VI_gateway"\nadvert_int_ms = 100\nconfig = "${join(dir, 'keepalived.conf')}"\npidfile = "${join(dir, 'keepalived.pid')}"\nfifo = "${join(dir, 'notify.fifo')}"\n`,
      sections: (dir) => [
        '[dnsmasq]', 'enabled = true', 'apply = "restart"', 'sync_schedule = ""',
        `leases = "${join(dir, 'dnsmasq.leases')}"`, `pid_file = "${join(dir, 'dnsmasq.pid')}"`, `queue_dir = "${join(dir, 'state', 'queue')}"`,
        `start_command = ["dnsmasq", "-C", "${join(dir, 'dnsmasq.conf')}", "--log-facility=${join(dir, 'dnsmasq.log')}"]`,
        `stop_command = ["pkill", "-F", "${join(dir, 'dnsmasq.pid')}"]`,
        // No peer here: the MASTER's lease pull fails at once on a closed loopback port.
        '[peer]', 'timeout_ms = 300', 'destination = "root@127.0.0.1"', 'port = 9',
        '[log]', `file = "${join(dir, 'ha-tool.log')}"`, 'level = "debug"', '',
      ].join('\n'),
    }, async (lab) => {
      const lan = lab.lan!
      const gws = lab.gateways
      try {
        for (const gw of gws) {
          must(['ip', 'netns', 'exec', gw.ns, 'sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1'])
          const example = async (kind: string, ...more: string[]) => {
            const r = await runCli(['config', 'example', kind, '--config', gw.config, ...more], {env: cleanEnv()})
            assert.equal(r.code, 0, r.stderr)
            return r.stdout
          }
          // The shipped files; out only what this bed cannot have: no system bus, no installed lease hook, no upstream DNS.
          writeFileSync(join(gw.dir, 'keepalived.conf'), (await example('keepalived', '--mode', 'fifo')).replace(/^\s*enable_dbus\n/m, ''))
          writeFileSync(join(gw.dir, 'dnsmasq.conf'), `${(await example('dnsmasq')).replace(/^dhcp-script=.*\n/m, '').replace(/^enable-dbus.*\n/m, '')}port=0\n`)
        }
        must(['ip', 'netns', 'exec', lan, 'nft', '-f', '-'], `table netdev ra {\n${[1, 2].map((n) => `  chain in${n} { type filter hook ingress device "lan-gw${n}" priority 0; icmpv6 type nd-router-advert counter; }`).join('\n')}\n}\n`)
        const ras = (): [number, number] => {
          const out = must(['ip', 'netns', 'exec', lan, 'nft', 'list', 'table', 'netdev', 'ra'])
          const count = (n: number) => Number(new RegExp(`chain in${n} \\{[^}]*counter packets (\\d+)`).exec(out)?.[1] ?? Number.NaN)
          return [count(1), count(2)]
        }
        const start = async (i: 0 | 1) => {
          const gw = gws[i]
          procs.push(startIn(gw.ns, [process.execPath, BIN, 'daemon', '--config', gw.config]))
          await sleep(500)
          const ka = startIn(gw.ns, ['keepalived', '-n', '-l', '-D', '-f', join(gw.dir, 'keepalived.conf'), '-p', join(gw.dir, 'keepalived.pid'), '-r', join(gw.dir, 'vrrp.pid')])
          keepalived[i] = ka
          procs.push(ka)
        }
        const holdsVip6 = (gw: PdGateway) => sh(['ip', '-n', gw.ns, 'addr', 'show', 'dev', VMAC6]).stdout.includes(` ${LL}/`)
        const vmacPrefixes = (gw: PdGateway) => [...sh(['ip', '-n', gw.ns, '-6', 'addr', 'show', 'dev', VMAC6]).stdout.matchAll(/inet6 (\S+)\/64 scope global .*noprefixroute/g)].map((m) => lan64(m[1]))
        const clientAddrs = (): Addr[] => (JSON.parse(must(['ip', '-n', lan, '-6', '-j', 'addr', 'show', 'dev', 'lanbr', 'scope', 'global'])) as Array<{addr_info: Array<{local?: string; prefixlen: number; preferred_life_time: number; deprecated?: boolean}>}>)
          .flatMap((l) => l.addr_info).filter((a) => a.local).map((a) => ({local: a.local!, prefixlen: a.prefixlen, preferred: a.preferred_life_time, deprecated: a.deprecated === true}))
        const usableIn = (p64: string) => clientAddrs().find((a) => inPrefix(a.local, p64) && !a.deprecated && a.preferred > 0)
        const routers = () => [...sh(['ip', '-n', lan, '-6', 'route', 'show', 'default']).stdout.matchAll(/via (\S+) dev lanbr proto ra/g)].map((m) => m[1])
        const dnsmasqLog = (gw: PdGateway) => { try { return readFileSync(join(gw.dir, 'dnsmasq.log'), 'utf8') } catch { return '' } }

        // gw1 first: MASTER, its WAN up, the delegation arrives, ha-tool puts the LAN /64 on the VMAC.
        await start(0)
        await waitFor('gw1 MASTER holding the IPv6 VIPs', () => holdsVip6(gws[0]), 20_000)
        const d1 = await gws[0].waitDelegation(30_000)
        const p1 = lan64(d1.lanAddress)
        assert.ok(inPrefix(p1.split('/')[0], d1.prefix), `${p1} not in ${d1.prefix}`)
        await waitFor(`gw1 holding ${p1} on ${VMAC6}`, () => vmacPrefixes(gws[0]).includes(p1), 15_000)
        await start(1)
        await sleep(2000)
        assert.equal(holdsVip6(gws[1]), false, 'gw2 took the IPv6 VIPs while gw1 is MASTER')
        assert.deepEqual(vmacPrefixes(gws[1]), [], 'the BACKUP holds a LAN prefix on its VMAC')

        // The client's IPv6 comes up: a SLAAC address in the delegated /64, default router the link-local VIP.
        must(['ip', 'netns', 'exec', lan, 'sysctl', '-qw', 'net.ipv6.conf.lanbr.disable_ipv6=0'])
        await waitFor(`the client's SLAAC address in ${p1} and its default route via ${LL}`, () => usableIn(p1) !== undefined && routers().join() === LL, 20_000)
        const address = usableIn(p1)!.local
        await sleep(1500)
        const [ra1, ra2] = ras()
        assert.ok(ra1 > 0, 'the MASTER sent no router advertisement')
        assert.equal(ra2, 0, 'the BACKUP sent router advertisements')

        // Failover: gw1's keepalived stops; gw2 becomes MASTER, its WAN comes up and gets the same delegation.
        const seen: string[] = []
        const watch = setInterval(() => seen.push(routers().join() || 'none'), 100)
        await keepalived[0]!.stop()
        keepalived[0] = undefined
        try {
          await waitFor('gw2 MASTER holding the IPv6 VIPs', () => holdsVip6(gws[1]) && !holdsVip6(gws[0]), 15_000)
          const d2 = await gws[1].waitDelegation(30_000)
          assert.equal(lan64(d2.lanAddress), p1, 'the delegation changed across the failover (one DHCPv6 identity)')
          await waitFor(`gw2 holding ${p1} on ${VMAC6}, gw1 none`, () => vmacPrefixes(gws[1]).includes(p1) && vmacPrefixes(gws[0]).length === 0, 15_000)
          await waitFor(`gw2's RAs carrying ${p1}`, () => new RegExp(`RTR-ADVERT\\(${VMAC6.replace('.', '\\.')}\\) ${p1.split('/')[0].replace(/\./g, '\\.')}$`, 'm').test(dnsmasqLog(gws[1])), 15_000)
        } finally {
          clearInterval(watch)
        }
        assert.deepEqual([...new Set(seen)], [LL], `the client's default router changed or vanished during the failover: ${seen.join(' ')}`)
        assert.equal(usableIn(p1)?.local, address, 'the client\'s SLAAC address in the delegated /64 changed or was deprecated')
        const afterFailover = ras()
        assert.ok(afterFailover[1] > 0, 'the new MASTER sent no router advertisement')

        // gw1 comes back (nopreempt): BACKUP, and silent.
        await start(0)
        await sleep(3000)
        assert.equal(holdsVip6(gws[0]), false)
        assert.equal(ras()[0], afterFailover[0], 'the returning BACKUP sent router advertisements')
        assert.deepEqual(vmacPrefixes(gws[0]), [])

        // The ISP renumbers: at gw2's next renewal networkd moves the LAN; ha-tool swaps the VMAC's address,
        // and dnsmasq advertises the new /64 and deprecates the old one within one RA interval.
        lab.setPool(next)
        // From the first sight of the new /64 on the MASTER's lan0 (tentative included, DAD still running).
        const lanIn = (p: string) => [...sh(['ip', '-n', gws[1].ns, '-6', 'addr', 'show', 'dev', 'lan0', 'scope', 'global']).stdout.matchAll(/inet6 (\S+)\//g)].map((m) => m[1]).find((a) => inPrefix(a, p))
        const reloaded = Date.now()
        await waitFor(`gw2's LAN renumbered into ${next}`, () => lanIn(next) !== undefined, 30_000)
        const moved = Date.now()
        const p3 = lan64(lanIn(next)!)
        await waitFor(`the client's SLAAC address in ${p3}, and ${p1} deprecated`, () => usableIn(p3) !== undefined && usableIn(p1) === undefined, (RA_INTERVAL_S + 5) * 1000)
        const took = (Date.now() - moved) / 1000
        assert.ok(took < RA_INTERVAL_S, `the new prefix took ${took.toFixed(1)} s to reach the client (one RA interval: ${RA_INTERVAL_S} s)`)
        const old = clientAddrs().find((a) => a.local === address)
        assert.ok(old && old.deprecated && old.preferred === 0, `the old address is not deprecated: ${JSON.stringify(old)}`)
        assert.deepEqual(routers(), [LL])
        assert.deepEqual(vmacPrefixes(gws[1]), [p3])
        assert.equal(ras()[0], afterFailover[0], 'the BACKUP sent router advertisements')
        console.log(`# renumbering ${p1} -> ${p3}: the MASTER's LAN moved ${((moved - reloaded) / 1000).toFixed(1)} s after Kea's reload, the client ${took.toFixed(1)} s after that`)

        // Without no-dhcpv6-interface=lan0 the MASTER's dnsmasq also advertises from lan0, which holds the
        // delegated /64: a second default router, the node's own link-local address.
        const conf = join(gws[1].dir, 'dnsmasq.conf')
        writeFileSync(conf, readFileSync(conf, 'utf8').replace(/^no-dhcpv6-interface=.*\n/m, ''))
        must(['ip', 'netns', 'exec', gws[1].ns, 'pkill', '-F', join(gws[1].dir, 'dnsmasq.pid')])
        await sleep(300)
        must(['ip', 'netns', 'exec', gws[1].ns, 'dnsmasq', '-C', conf, `--log-facility=${join(gws[1].dir, 'dnsmasq.log')}`])
        const own = /inet6 (fe80::\S+)\/64/.exec(must(['ip', '-n', gws[1].ns, '-6', 'addr', 'show', 'dev', 'lan0']))![1]
        await waitFor(`the client learning gw2's own ${own} as a router`, () => routers().includes(own), 20_000)
      } catch (error) {
        // What each node did and holds, for a failure in CI (the lab's directory goes with it).
        for (const gw of gws) {
          const log = (() => { try { return readFileSync(join(gw.dir, 'ha-tool.log'), 'utf8') } catch { return '' } })()
          console.log(`# ${gw.ns}: ha-tool.log (last lines)\n${log.split('\n').slice(-25).join('\n')}\n# ip -6 addr\n${sh(['ip', '-n', gw.ns, '-6', 'addr']).stdout}\n# unreachable\n${sh(['ip', '-n', gw.ns, '-6', 'route', 'show', 'table', 'all', 'type', 'unreachable']).stdout}`)
        }
        throw error
      } finally {
        for (const p of procs.reverse()) await p.stop()
        for (const gw of gws) sh(['ip', 'netns', 'exec', gw.ns, 'pkill', '-F', join(gw.dir, 'dnsmasq.pid')])
      }
    })
  })
})

/** The /64 an address is in, as "2001:db8:1:2::/64". */
function lan64(address: string): string {
  const g = parseIpv6(address.split('/')[0])!
  return `${formatIpv6([...g.slice(0, 4), 0, 0, 0, 0])}/64`
}
