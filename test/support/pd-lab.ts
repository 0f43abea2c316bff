// An IPv6 ISP that delegates prefixes, and two gateways that share the WAN's cloned MAC, each running
// the real systemd-networkd on the WAN and LAN files `ha-tool config example networkd` prints.
//   ISP namespace <prefix>-isp: bridge br0 (198.51.100.1/24, 2001:db8:ffff::1/64) with Kea's
//     kea-dhcp6 delegating prefixes out of a pool, and dnsmasq for DHCPv4 and router advertisements
//     (the IPv6 default route; Kea sends none).
//   Gateways <prefix>-gw1, <prefix>-gw2: wan0 (veth into br0, the same MAC on both) and lan0 (a veth
//     with its other end in the same namespace), networkd with its own bus and its own /etc/machine-id, as two real nodes have.
// The WAN files say ActivationPolicy=manual (wan.link = "down-on-backup", link_via = "netlink"), so a
// gateway's WAN is up only when the test says, as ha-tool does on MASTER: one WAN at a time.
// The namespaces and cables are the topology builder's (topology.ts). Every process is ended by PID,
// namespaces are deleted, the directory removed.
import {execFileSync, spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {parseIpv6} from '../../src/core/parse/ipv6.js'
import {spawnNetworkd, spawnPrivateBus, stopChild} from './networkd-lab.js'
import {CLI, cleanEnv} from './spawn.js'
import {buildTopology, type End, type NodeSpec, type Topology, type TopologySpec} from './topology.js'

export const KEA = '/usr/sbin/kea-dhcp6'

export function pdLabSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root'
  for (const p of ['/lib/systemd/systemd-networkd', '/usr/bin/dbus-daemon', '/usr/sbin/dnsmasq', '/usr/bin/unshare', KEA]) {
    if (!existsSync(p)) return `${p} is not installed (scripts/install-system-deps)`
  }
  return undefined
}

export type PdLabOptions = {
  /** Kea's pool of prefixes to delegate, e.g. "2001:db8:100::/48", and the length it delegates. */
  pool: string
  delegatedLength: number
  /** Extra [wan] and [lan] keys of both nodes' ha-tool config (interfaces, link mode and LAN addresses are the lab's). */
  wan?: string
  lan?: string
  /** wan.link of both nodes (default "down-on-backup": a WAN is up only when the test says). */
  link?: 'keep-up' | 'down-on-backup'
  /** Start networkd on both gateways during set-up (default true); else `startNetworkd()` does. */
  startNetworkd?: boolean
  /** Kea's T1/T2 and lifetimes in seconds (default 100/200/300/600). */
  timers?: {renew: number; rebind: number; preferred: number; valid: number}
  /** Changes the example's files before networkd reads them (name is "wan" or "lan"). */
  edit?: (name: 'wan' | 'lan', text: string) => string
  /**
   * A LAN switch: bridge lanbr in namespace <prefix>-lan, with both gateways' lan0 on its ports lan-gw1 and
   * lan-gw2 (without it each lan0 has a private peer). lanbr is also the LAN client's interface, its IPv6 off
   * until the test turns it on.
   */
  lanSwitch?: boolean
  /** More keys for [keepalived], and more sections, of each node's config (dir: the node's directory). */
  keepalived?: (dir: string) => string
  sections?: (dir: string) => string
}

export type Delegation = {
  /** The delegated prefix (networkd's unreachable route for it), e.g. "2001:db8:100:ab00::/56". */
  prefix: string
  /** The LAN's global address from it, with its /64. */
  lanAddress: string
}

export type PdGateway = {
  ns: string
  /** The node's own directory (its config, networkd's files and log). */
  dir: string
  /** Its networkd's private D-Bus (DBUS_SYSTEM_BUS_ADDRESS). */
  busAddress: string
  ip(...args: string[]): string
  /** The WAN .network and LAN .network networkd runs, as written. */
  files: {wan: string; lan: string}
  /** The node's ha-tool config (the examples' source; [state] in the lab's directory, no keepalived D-Bus). */
  config: string
  /** The ISP's end of this gateway's WAN cable (a port of br0): what the gateway sends arrives there. */
  ispPort: string
  startNetworkd(): Promise<void>
  /** `ha-tool ARGS` in the gateway's namespace, on its networkd's bus, stdin closed. */
  haTool(args: string[]): {code: number; stdout: string; stderr: string}
  /** `ip link set wan0 up|down`: MASTER and BACKUP of wan.link = "down-on-backup". */
  wanUp(): void
  wanDown(): void
  /** The delegation networkd holds now (both parts present), or undefined. */
  delegation(): Delegation | undefined
  waitDelegation(timeoutMs?: number): Promise<Delegation>
  networkdLog(): string
}

export type KeaLease = {address: string; prefixLength: number; duid: string; iaid: number; type: 'na' | 'pd'}

export type PdLab = {
  isp: string
  /** The namespace of the LAN switch and client (lanSwitch), else undefined. */
  lan?: string
  gateways: [PdGateway, PdGateway]
  /** The leases Kea holds (its memfile), latest line per lease. */
  keaLeases(): KeaLease[]
  /** The ISP renumbers: Kea reloads (SIGHUP) with its prefixes from another pool; clients move on their next renewal. */
  setPool(pool: string): void
  keaLog(): string
}

const SHARED_MAC = '02:00:5e:10:00:01'
const GWS = ['gw1', 'gw2'] as const
type Gw = typeof GWS[number]
/** The lab's nodes; 'lan' exists only with lanSwitch. */
type PdNode = 'isp' | Gw | 'lan'
const sh = (argv: string[]) => execFileSync(argv[0], argv.slice(1), {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})

/** `ha-tool config example networkd --file NAME` for an ha-tool config file: [file name, text]. */
function exampleFile(config: string, name: 'wan' | 'lan'): [string, string] {
  const text = sh([...CLI, 'config', 'example', 'networkd', '--file', name, '--config', config])
  const path = /^# (\/etc\/systemd\/network\/\S+\.network) /.exec(text)?.[1]
  if (!path) throw new Error(`pd lab: no .network path in the example's ${name} file:\n${text}`)
  return [basename(path), text]
}

function keaConfig(dir: string, o: PdLabOptions): string {
  const [prefix, len] = o.pool.split('/')
  const t = o.timers ?? {renew: 100, rebind: 200, preferred: 300, valid: 600}
  return JSON.stringify({
    Dhcp6: {
      'interfaces-config': {interfaces: ['br0']},
      'data-directory': dir, // its server DUID file
      'lease-database': {type: 'memfile', persist: true, name: join(dir, 'kea-leases6.csv'), 'lfc-interval': 0},
      'renew-timer': t.renew, 'rebind-timer': t.rebind, 'preferred-lifetime': t.preferred, 'valid-lifetime': t.valid,
      subnet6: [{
        id: 1, subnet: '2001:db8:ffff::/64', interface: 'br0',
        pools: [{pool: '2001:db8:ffff::1000-2001:db8:ffff::1fff'}],
        'pd-pools': [{prefix, 'prefix-len': Number(len), 'delegated-len': o.delegatedLength}],
      }],
      loggers: [{name: 'kea-dhcp6', output_options: [{output: join(dir, 'kea.log')}], severity: 'DEBUG', debuglevel: 40}],
    },
  }, null, 2)
}

/** Kea's memfile CSV (address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,...). */
function parseKeaLeases(text: string): KeaLease[] {
  const byKey = new Map<string, KeaLease>()
  for (const line of text.split('\n').slice(1)) {
    const f = line.split(',')
    if (f.length < 9) continue
    const lease: KeaLease = {address: f[0], duid: f[1], type: f[6] === '2' ? 'pd' : 'na', iaid: Number(f[7]), prefixLength: Number(f[8])}
    if (Number(f[2]) === 0) byKey.delete(`${f[0]}/${f[8]}`) // a released or expired lease is written with lifetime 0
    else byKey.set(`${f[0]}/${f[8]}`, lease)
  }
  return [...byKey.values()]
}

/** Whether IPv6 address `addr` lies in `prefix` ("2001:db8::/56"). */
function inPrefix(addr: string, prefix: string): boolean {
  const [net, len] = prefix.split('/')
  const a = parseIpv6(addr)
  const n = parseIpv6(net)
  if (!a || !n) return false
  for (let bit = 0; bit < Number(len); bit++) {
    const g = Math.floor(bit / 16)
    const mask = 0x8000 >> (bit % 16)
    if ((a[g] & mask) !== (n[g] & mask)) return false
  }
  return true
}

/**
 * The lab's namespaces (<prefix>-isp, -gw1, -gw2, and -lan with the LAN switch) and cables. The gateways' wan0
 * and lan0 stay down: the test (or ha-tool) raises wan0, networkd lan0.
 */
function pdTopology(prefix: string, lanSwitch: boolean): TopologySpec<PdNode> {
  const cable = (a: End<PdNode>, b: End<PdNode>): [End<PdNode>, End<PdNode>] => [a, b]
  const nodes: Partial<Record<PdNode, NodeSpec>> = {
    // no DAD: br0's addresses (Kea binds to them) and every port are usable at once
    isp: {sysctls: {'net.ipv6.conf.default.accept_dad': 0}, bridges: [{dev: 'br0', addrs: ['198.51.100.1/24', '2001:db8:ffff::1/64']}]},
    gw1: {}, gw2: {},
    // the LAN switch is also the client's interface, its IPv6 off until the test turns it on
    ...(lanSwitch ? {lan: {bridges: [{dev: 'lanbr', sysctls: {'net.ipv6.conf.lanbr.accept_dad': 0, 'net.ipv6.conf.lanbr.disable_ipv6': 1}}]}} : {}),
  }
  return {
    prefix: `${prefix}-`,
    nodes: nodes as Record<PdNode, NodeSpec>, // 'lan' is in it exactly when lanSwitch, and used only then
    links: [
      // A port that is always up: with both gateways' WANs down the bridge would have no carrier,
      // and Kea opens no socket on a link that is not running.
      cable({node: 'isp', dev: 'isp-up', master: 'br0'}, {node: 'isp', dev: 'isp-up-peer'}),
      ...GWS.flatMap((gw) => [
        cable({node: gw, dev: 'wan0', mac: SHARED_MAC, up: false}, {node: 'isp', dev: `isp-${gw}`, master: 'br0'}),
        lanSwitch
          ? cable({node: gw, dev: 'lan0', up: false}, {node: 'lan', dev: `lan-${gw}`, master: 'lanbr'})
          // Without the switch: a veth whose other end (up, unmanaged) gives lan0 its carrier (no dummy module here).
          : cable({node: gw, dev: 'lan0', up: false}, {node: gw, dev: 'lan0-peer'}),
      ]),
    ],
  }
}

export async function withPdLab<T>(prefix: string, o: PdLabOptions, fn: (lab: PdLab) => Promise<T>): Promise<T> {
  if (!prefix.startsWith('hat-')) throw new Error('namespaces must start with hat-')
  const dir = mkdtempSync(join(tmpdir(), 'ha-tool-pd-'))
  chmodSync(dir, 0o755) // networkd drops to systemd-network and must read its runtime dir
  const children: ChildProcess[] = []
  let topology: Topology<PdNode> | undefined
  try {
    const t = topology = buildTopology(pdTopology(prefix, o.lanSwitch === true))
    const isp = t.ns.isp
    const lanNs = o.lanSwitch ? t.ns.lan : undefined

    const gateways = await Promise.all(GWS.map(async (gw, i): Promise<PdGateway> => {
      const gdir = join(dir, gw)
      const runtimeDir = join(gdir, 'network')
      mkdirSync(runtimeDir, {recursive: true, mode: 0o755})
      chmodSync(gdir, 0o755)
      const ns = t.ns[gw]
      const ip = (...args: string[]) => t.ip(gw, ...args)
      const config = join(gdir, 'ha-tool.toml')
      writeFileSync(config, `[wan]\ninterface = "wan0"\nlink = "${o.link ?? 'down-on-backup'}"\nlink_via = "netlink"\n${o.wan ?? ''}\n[lan]\ninterface = "lan0"\naddress = "10.9.0.${i + 1}/24"\nvip = "10.9.0.3"\n${o.lan ?? ''}\n` +
        `[state]\ndir = "${join(gdir, 'state')}"\n[keepalived]\ndbus = false\n${o.keepalived?.(gdir) ?? ''}\n${o.sections?.(gdir) ?? ''}\n`)
      const files = {wan: '', lan: ''}
      for (const name of ['wan', 'lan'] as const) {
        const [file, text] = exampleFile(config, name)
        files[name] = o.edit ? o.edit(name, text) : text
        writeFileSync(join(runtimeDir, file), files[name], {mode: 0o644})
      }
      // The example's networkd.conf drop-in (ManageForeignRoutingPolicyRules=no), as doctor requires: without it
      // a ReconfigureLink deletes ha-tool's rules.
      const conf = join(gdir, 'networkd.conf')
      writeFileSync(conf, sh([...CLI, 'config', 'example', 'networkd', '--file', 'conf', '--config', config]), {mode: 0o644})
      const machineId = join(gdir, 'machine-id')
      writeFileSync(machineId, `${randomBytes(16).toString('hex')}\n`, {mode: 0o444})
      const busDir = join(gdir, 'bus')
      mkdirSync(busDir)
      children.push(await spawnPrivateBus(busDir))
      const logPath = join(gdir, 'networkd.log')
      const busAddress = `unix:path=${join(busDir, 'system_bus_socket')}`
      const startNetworkd = async () => { children.push(await spawnNetworkd({ns, runtimeDir, busAddress, logPath, machineId, conf})) }
      if (o.startNetworkd !== false) await startNetworkd()
      const delegation = (): Delegation | undefined => {
        const lan = (JSON.parse(ip('-6', '-j', 'addr', 'show', 'dev', 'lan0', 'scope', 'global')) as Array<{addr_info: Array<{local: string; prefixlen: number; tentative?: boolean}>}>)
          .flatMap((l) => l.addr_info).find((a) => a.local !== undefined && !a.tentative) // iproute2 adds an empty {} entry
        // After a renumbering networkd keeps the old prefix's unreachable route until it expires: the
        // delegation is the prefix the LAN address is in.
        const prefix = lan && ip('-6', 'route', 'show', 'table', 'all', 'type', 'unreachable').split('\n')
          .map((l) => /^unreachable (\S+\/\d+)/.exec(l)?.[1]).find((p) => p !== undefined && inPrefix(lan.local, p))
        return lan && prefix ? {prefix, lanAddress: `${lan.local}/${lan.prefixlen}`} : undefined
      }
      return {
        ns, dir: gdir, busAddress, ip, files, config, ispPort: `isp-${gw}`, startNetworkd,
        haTool: (args) => {
          const r = spawnSync('ip', ['netns', 'exec', ns, ...CLI, ...args], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000, env: cleanEnv({DBUS_SYSTEM_BUS_ADDRESS: busAddress})})
          return {code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr}
        },
        wanUp: () => { ip('link', 'set', 'wan0', 'up') },
        wanDown: () => { ip('link', 'set', 'wan0', 'down') },
        delegation,
        waitDelegation: async (timeoutMs = 20_000) => {
          const deadline = Date.now() + timeoutMs
          for (;;) {
            const d = delegation()
            if (d) return d
            if (Date.now() > deadline) throw new Error(`${ns}: no delegated prefix on lan0 after ${timeoutMs} ms:\n${ip('-6', 'addr')}\n${ip('-6', 'route', 'show', 'table', 'all')}`)
            await sleep(100)
          }
        },
        networkdLog: () => { try { return readFileSync(logPath, 'utf8') } catch { return '' } },
      }
    }))

    const keaConf = join(dir, 'kea-dhcp6.conf')
    writeFileSync(keaConf, keaConfig(dir, o))
    const kea = spawn('ip', ['netns', 'exec', isp, KEA, '-c', keaConf], {stdio: ['ignore', 'ignore', 'pipe'], env: {...process.env, KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir}})
    let keaErr = ''
    kea.stderr!.setEncoding('utf8').on('data', (d: string) => { keaErr += d })
    children.push(kea)
    children.push(spawn('ip', ['netns', 'exec', isp, 'dnsmasq', '--conf-file=/dev/null', '--keep-in-foreground', '--port=0', '--interface=br0', '--bind-interfaces',
      '--dhcp-authoritative', '--dhcp-range=198.51.100.100,198.51.100.150,255.255.255.0,2m', `--dhcp-leasefile=${join(dir, 'dnsmasq.leases')}`,
      '--enable-ra', '--dhcp-range=::,constructor:br0,ra-only,64', `--log-facility=${join(dir, 'dnsmasq.log')}`], {stdio: 'ignore'}))
    const keaLog = () => { try { return readFileSync(join(dir, 'kea.log'), 'utf8') } catch { return '' } }
    for (let i = 0; !/DHCP6_STARTED/.test(keaLog()); i++) {
      if (i > 100 || kea.exitCode !== null) throw new Error(`kea-dhcp6 did not start:\n${keaLog()}\n${keaErr}`)
      await sleep(50)
    }
    return await fn({
      isp, lan: lanNs, gateways: gateways as [PdGateway, PdGateway], keaLog,
      setPool: (pool) => {
        writeFileSync(keaConf, keaConfig(dir, {...o, pool}))
        kea.kill('SIGHUP') // \`ip netns exec\` execs kea-dhcp6: this is its PID
      },
      keaLeases: () => { try { return parseKeaLeases(readFileSync(join(dir, 'kea-leases6.csv'), 'utf8')) } catch { return [] } },
    })
  } finally {
    for (const c of children.reverse()) await stopChild(c)
    topology?.destroy() // what is still inside, by PID, and the namespaces
    rmSync(dir, {recursive: true, force: true})
  }
}
