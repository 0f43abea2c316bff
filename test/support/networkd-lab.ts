// The real systemd-networkd 252 managing a veth WAN in a namespace, with DHCP from dnsmasq in a
// second namespace and a private system bus (no systemd as PID 1). networkd runs in its own mount
// namespace: tmpfs /run/systemd and /etc/systemd/network, read-only /sys (so it does not wait for
// udev), and a host directory bound on /run/systemd/network so tests (and ha-tool's drop-ins)
// can write its runtime configuration. Every process is ended by PID; namespaces are deleted.
// The WAN .network is what users install: `ha-tool config example networkd --file wan` on an
// ha-tool config (given, or made of the [wan] keys given), never a hand-written one.
import {execFileSync, spawn, type ChildProcess} from 'node:child_process'
import {chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'
import {CLI} from './spawn.js'
import {buildTopology, type End, type Topology} from './topology.js'

export type NetworkdLab = {
  rtr: string
  isp: string
  dir: string
  busAddress: string
  /** Host path bound on networkd's /run/systemd/network (ha-tool's wan.networkd_runtime_dir). */
  runtimeDir: string
  /** The WAN .network's name in runtimeDir (the example's, e.g. 10-wan0-wan.network) and its text. */
  wanFile: string
  wanNetwork: string
  /** What networkd logged (its parser's warnings about the files included). */
  networkdLog(): string
  dnsmasqLog(): string
  startNetworkd(): Promise<void>
  stopNetworkd(): Promise<void>
  /** Waits until wan0 has a DHCP address and table 250 a default route. */
  waitLease(timeoutMs?: number): Promise<void>
  ip(...args: string[]): string
  /** One more veth pair in the router namespace, after the build (the topology builder's link). */
  link(a: Omit<End<'rtr'>, 'node'>, b: Omit<End<'rtr'>, 'node'>): void
}

export function networkdLabSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root'
  for (const p of ['/lib/systemd/systemd-networkd', '/usr/bin/dbus-daemon', '/usr/sbin/dnsmasq', '/usr/bin/unshare']) {
    if (!existsSync(p)) return `${p} is not installed (scripts/install-system-deps)`
  }
  return undefined
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** SIGTERM, then SIGKILL after 3 s; a child already gone is left alone. */
export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await Promise.race([gone, sleep(3000)])
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

/**
 * Where the WAN .network comes from: the example of an ha-tool config file whose wan.interface is
 * wan0 (`config`), or of one made of these [wan] keys (`wan`, interface = "wan0" added).
 */
export type WanSource = {config: string} | {wan: string}

/** `ha-tool config example networkd --file wan` (the built CLI) for the source: [file name, text]. */
export function exampleWanNetwork(source: WanSource, dir: string): [string, string] {
  let config: string
  if ('config' in source) config = source.config
  else writeFileSync(config = join(dir, 'wan-example.toml'), `[wan]\ninterface = "wan0"\n${source.wan}\n`)
  const text = execFileSync(CLI[0], [...CLI.slice(1), 'config', 'example', 'networkd', '--file', 'wan', '--config', config], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
  const path = /^# (\/etc\/systemd\/network\/\S+\.network) /.exec(text)?.[1]
  if (!path || !/^Name=wan0$/m.test(text)) throw new Error(`networkd lab: the example's WAN file is not for wan0:\n${text}`)
  return [basename(path), text]
}

/** A private system-type D-Bus (scripts/lab-tools/private-bus.conf) on `<dir>/system_bus_socket`, ready to connect. */
export async function spawnPrivateBus(dir: string): Promise<ChildProcess> {
  const sock = join(dir, 'system_bus_socket')
  writeFileSync(join(dir, 'bus.conf'), readFileSync(new URL('../../scripts/lab-tools/private-bus.conf', import.meta.url), 'utf8').replace('@SOCKET@', sock))
  const bus = spawn('dbus-daemon', [`--config-file=${join(dir, 'bus.conf')}`, '--nofork', '--nopidfile'], {stdio: 'ignore'})
  for (let i = 0; i < 100; i++) { try { readFileSync(sock); break } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') break } await sleep(20) }
  return bus
}

export type NetworkdSpawn = {
  ns: string
  /** Host directory bound on networkd's /run/systemd/network (its .network files). */
  runtimeDir: string
  busAddress: string
  logPath: string
  /** A file bound on /etc/machine-id: each node of a pair has its own, as real ones do. */
  machineId?: string
  /** A file bound on /etc/systemd/networkd.conf (the example's drop-in, as a real node has it); else the host's. */
  conf?: string
}

/**
 * The real systemd-networkd in namespace `ns`, in its own mount namespace (see the top of this
 * file), returned once it owns org.freedesktop.network1 on the bus.
 */
export async function spawnNetworkd(o: NetworkdSpawn): Promise<ChildProcess> {
  const script = `set -e
    mount -t tmpfs -o mode=0755 tmpfs /run/systemd
    mkdir -p /run/systemd/network
    mount --bind "$RUNTIME" /run/systemd/network
    mount -t tmpfs -o mode=0755 tmpfs /etc/systemd/network
    if [ -n "$MACHINE_ID" ]; then mount --bind "$MACHINE_ID" /etc/machine-id; fi
    if [ -n "$CONF" ]; then mount --bind "$CONF" /etc/systemd/networkd.conf; fi
    mount -o remount,bind,ro /sys
    exec env DBUS_SYSTEM_BUS_ADDRESS="$BUS" SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_TARGET=console /lib/systemd/systemd-networkd`
  const log = openSync(o.logPath, 'a')
  let networkd: ChildProcess
  try {
    networkd = spawn('ip', ['netns', 'exec', o.ns, 'unshare', '--mount', '--propagation', 'private', '/bin/bash', '-c', script], {
      stdio: ['ignore', log, log], env: {...process.env, RUNTIME: o.runtimeDir, BUS: o.busAddress, MACHINE_ID: o.machineId ?? '', CONF: o.conf ?? ''},
    })
  } finally {
    closeSync(log)
  }
  for (let i = 0; i < 100; i++) {
    try { execFileSync('busctl', [`--address=${o.busAddress}`, 'status', 'org.freedesktop.network1'], {stdio: 'ignore'}); return networkd } catch { await sleep(50) }
  }
  await stopChild(networkd)
  throw new Error(`networkd in ${o.ns} did not come up on the private bus`)
}

export async function withNetworkdLab<T>(prefix: string, wan: WanSource, fn: (lab: NetworkdLab) => Promise<T>): Promise<T> {
  if (!prefix.startsWith('hat-')) throw new Error('namespaces must start with hat-')
  const rtr = `${prefix}-rtr`
  const isp = `${prefix}-isp`
  const dir = mkdtempSync(join(tmpdir(), 'ha-tool-nd-'))
  chmodSync(dir, 0o755) // networkd drops to systemd-network and must read the runtime dir
  const runtimeDir = join(dir, 'network')
  mkdirSync(runtimeDir, {mode: 0o755})
  const [wanFile, wanNetwork] = exampleWanNetwork(wan, dir)
  writeFileSync(join(runtimeDir, wanFile), wanNetwork, {mode: 0o644})
  const networkdLogPath = join(dir, 'networkd.log')
  const busAddress = `unix:path=${join(dir, 'system_bus_socket')}`
  const sh = (argv: string[]) => execFileSync(argv[0], argv.slice(1), {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
  let topo: Topology<'rtr' | 'isp'> | undefined
  let dnsmasq: ChildProcess | undefined
  let bus: ChildProcess | undefined
  let networkd: ChildProcess | undefined
  try {
    // the router's wan0 stays down: the test (or networkd) raises it
    topo = buildTopology<'rtr' | 'isp'>({
      prefix, names: {rtr, isp}, nodes: {rtr: {}, isp: {}},
      links: [[{node: 'rtr', dev: 'wan0', up: false}, {node: 'isp', dev: 'isp0', addrs: ['198.51.100.1/24']}]],
    })
    dnsmasq = spawn('ip', ['netns', 'exec', isp, 'dnsmasq', '--conf-file=/dev/null', '--keep-in-foreground', '--port=0', '--interface=isp0', '--bind-interfaces',
      '--dhcp-authoritative', '--dhcp-range=198.51.100.100,198.51.100.150,255.255.255.0,2m', `--dhcp-leasefile=${join(dir, 'dnsmasq.leases')}`,
      '--log-dhcp', `--log-facility=${join(dir, 'dnsmasq.log')}`], {stdio: 'ignore'})
    bus = await spawnPrivateBus(dir)

    const startNetworkd = async () => {
      networkd = await spawnNetworkd({ns: rtr, runtimeDir, busAddress, logPath: networkdLogPath})
    }
    const lab: NetworkdLab = {
      rtr, isp, dir, busAddress, runtimeDir, wanFile, wanNetwork,
      networkdLog: () => { try { return readFileSync(networkdLogPath, 'utf8') } catch { return '' } },
      dnsmasqLog: () => { try { return readFileSync(join(dir, 'dnsmasq.log'), 'utf8') } catch { return '' } },
      startNetworkd,
      stopNetworkd: async () => { await stopChild(networkd); networkd = undefined },
      ip: (...args) => sh(['ip', '-n', rtr, ...args]),
      link: (a, b) => topo!.link({...a, node: 'rtr'}, {...b, node: 'rtr'}),
      waitLease: async (timeoutMs = 10_000) => {
        const deadline = Date.now() + timeoutMs
        for (;;) {
          const addr = sh(['ip', '-n', rtr, '-4', 'addr', 'show', 'dev', 'wan0'])
          const route = sh(['ip', '-n', rtr, 'route', 'show', 'table', 'all', 'default']).split('\n').filter((l) => / table 250\b/.test(l)).join('\n')
          if (/inet 198\.51\.100\./.test(addr) && /default via/.test(route)) return
          if (Date.now() > deadline) throw new Error(`no lease on wan0 after ${timeoutMs} ms:\n${addr}\n${route}`)
          await sleep(50)
        }
      },
    }
    await startNetworkd()
    return await fn(lab)
  } finally {
    await stopChild(networkd)
    await stopChild(bus)
    await stopChild(dnsmasq)
    topo?.destroy()
    rmSync(dir, {recursive: true, force: true})
  }
}
