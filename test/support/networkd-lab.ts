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
import {buildTopology, type Topology} from './topology.js'

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
}

export function networkdLabSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root'
  for (const p of ['/lib/systemd/systemd-networkd', '/usr/bin/dbus-daemon', '/usr/sbin/dnsmasq', '/usr/bin/unshare']) {
    if (!existsSync(p)) return `${p} is not installed (scripts/install-system-deps)`
  }
  return undefined
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function stop(child: ChildProcess | undefined): Promise<void> {
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
  const sock = join(dir, 'system_bus_socket')
  const busAddress = `unix:path=${sock}`
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
    writeFileSync(join(dir, 'bus.conf'), readFileSync(new URL('../../scripts/lab-tools/private-bus.conf', import.meta.url), 'utf8').replace('@SOCKET@', sock))
    bus = spawn('dbus-daemon', [`--config-file=${join(dir, 'bus.conf')}`, '--nofork', '--nopidfile'], {stdio: 'ignore'})
    for (let i = 0; i < 100; i++) { try { readFileSync(sock); break } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') break } await sleep(20) }

    const startNetworkd = async () => {
      const script = `set -e
        mount -t tmpfs -o mode=0755 tmpfs /run/systemd
        mkdir -p /run/systemd/network
        mount --bind "$RUNTIME" /run/systemd/network
        mount -t tmpfs -o mode=0755 tmpfs /etc/systemd/network
        mount -o remount,bind,ro /sys
        exec env DBUS_SYSTEM_BUS_ADDRESS="$BUS" SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_TARGET=console /lib/systemd/systemd-networkd`
      const log = openSync(networkdLogPath, 'a')
      try {
        networkd = spawn('ip', ['netns', 'exec', rtr, 'unshare', '--mount', '--propagation', 'private', '/bin/bash', '-c', script], {
          stdio: ['ignore', log, log], env: {...process.env, RUNTIME: runtimeDir, BUS: busAddress},
        })
      } finally {
        closeSync(log)
      }
      for (let i = 0; i < 100; i++) {
        try { execFileSync('busctl', [`--address=${busAddress}`, 'status', 'org.freedesktop.network1'], {stdio: 'ignore'}); return } catch { await sleep(50) }
      }
      throw new Error('networkd did not come up on the private bus')
    }
    const lab: NetworkdLab = {
      rtr, isp, dir, busAddress, runtimeDir, wanFile, wanNetwork,
      networkdLog: () => { try { return readFileSync(networkdLogPath, 'utf8') } catch { return '' } },
      dnsmasqLog: () => { try { return readFileSync(join(dir, 'dnsmasq.log'), 'utf8') } catch { return '' } },
      startNetworkd,
      stopNetworkd: async () => { await stop(networkd); networkd = undefined },
      ip: (...args) => sh(['ip', '-n', rtr, ...args]),
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
    await stop(networkd)
    await stop(bus)
    await stop(dnsmasq)
    topo?.destroy()
    rmSync(dir, {recursive: true, force: true})
  }
}
