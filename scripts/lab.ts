// The lab: DESIGN.md section 1 on one machine, from real daemons, in four network namespaces built with the
// topology builder (test/support/topology.ts). TypeScript, run with tsx (`scripts/lab`, `npm run lab`).
//   hat-isp     bridge "wanbr" 198.51.100.1/24 (the ISP's access switch and router), dnsmasq handing out
//               exactly ONE address (198.51.100.10), and the "internet" host 203.0.113.10 (UDP/TCP echo).
//   hat-gw1/2   wan0 (same MAC on both, DHCP by the real systemd-networkd 252, routes in table 250),
//               lan0 192.168.1.1|2/24, sync0 192.168.190.1|2/29 (direct cable), keepalived (VRRPv3, use_vmac,
//               nopreempt or --preempt, VIP 192.168.1.3), nftables NAT + the LAN->LAN forward drop, conntrackd (FTFW on
//               the sync link), dnsmasq for the LAN, and in notify/fifo mode ha-tool.
//   hat-client  bridge "lanbr" (the LAN switch) that is also the client's interface: DHCP from the gateways.
// Nothing is connected to the host's namespace, so nothing can route out.
// Every process is tracked by PID in RUN/pids and ended by PID. Library for test/e2e/lab.ts and
// scripts/bench/failover.mjs (both under tsx); `scripts/lab` is its command line.
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, openSync, closeSync, renameSync, chmodSync, lstatSync, realpathSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {HIDE_HOST_BASHRC} from '../test/support/sshd.js'
import {buildTopology as buildTopo, destroyNamespaces, type End} from '../test/support/topology.js'

export type Gw = 'gw1' | 'gw2'
export type Mode = 'baseline' | 'notify' | 'fifo'
export type FailoverKind = 'stop' | 'kill' | 'lan' | 'node'

export type LabOptions = {
  /** baseline: keepalived's own virtual_rules, no ha-tool; notify: ha-tool as keepalived's notify script; fifo: `ha-tool daemon` on the notify FIFO */
  mode: Mode
  /** keepalived advert_int in seconds */
  advertInt: number
  /** conntrackd (FTFW on the sync link) on both gateways, and `[conntrackd] enabled` in ha-tool's config */
  conntrackd: boolean
  /** ha-tool's wan.link */
  link: 'keep-up' | 'down-on-backup'
  /** the LAN->LAN forward drop */
  lanGuard: boolean
  /** `iif lo` on the table-240 rule (DESIGN.md's fix); false = the seed's plain rule */
  fallbackIifLo: boolean
  /** net.netfilter.nf_conntrack_tcp_loose on the gateways */
  tcpLoose: number
  ispLeaseSecs: number
  /** the ISP's DHCP server broadcasts its replies (dnsmasq --dhcp-broadcast): a node booting while the MASTER sends with the shared MAC still gets its lease */
  ispDhcpBroadcast: boolean
  lanLeaseSecs: number
  client: 'dhcp' | 'static'
  haToolLogLevel: string
  /** extra arguments for the gateways' LAN dnsmasq (e.g. `--dhcp-script=...`) */
  dnsmasqExtraArgs: string[]
  /** an input firewall on wan0: only established/related traffic in (the seeds have none) */
  wanInputDrop: boolean
  /** ha-tool [health] targets: the daemon's monitor (fifo mode) writes a track_file keepalived tracks (weight 0); maintenance uses it too */
  healthTargets: string[]
  /** ha-tool [metrics] textfile_dir = <lab>/gwN/metrics */
  metrics: boolean
  /** extra keepalived global_defs lines (studies only) */
  keepalivedGlobals?: string[]
  /** the ha-tool the gateways run: '' = this checkout through `scripts/install --destdir` (INSTALL_DIR); else an installed executable (HAT_LAB_BIN) */
  bin: string
  /** run the shipped keepalived.service drop-in's ExecStopPost= command when keepalived ends (what systemd does) */
  keepalivedGuard: boolean
  /** the peer port: sshd on each sync address, [peer] keys, the shipped authorized_keys line; dnsmasq's dhcp-script runs `ha-tool leases hook` */
  peer: boolean
  /** ha-tool's keepalived.preempt: the shipped example preempts (after preempt_delay) instead of nopreempt, so gw1 (priority 200) takes MASTER back when it returns */
  preempt: boolean
  /**
   * Dual stack: the ISP sends router advertisements (the gateways' IPv6 default route, into table 250) and holds an
   * IPv6 host (ADDR6.remote); lan.ipv6 with the ULA VIP ADDR6.vip (the example's VRRPv3 IPv6 instance, dnsmasq's RAs
   * from the MASTER); the client takes a SLAAC address from them; the ISP routes the LAN's /64 to the WAN's link-local
   * address (both nodes share it: EUI-64 of the cloned MAC), as an ISP routes a delegated prefix. failover() then
   * measures an IPv6 probe beside the IPv4 one.
   */
  ipv6?: boolean
  /** tests only: false adds the LAN's IPv6 /64 to conntrackd's Address Ignore list, so no IPv6 flow is replicated */
  conntrackdIpv6?: boolean
  /**
   * active/passive DHCP as shipped (ha-tool modes only): ha-tool's `dnsmasq.enabled` with the default stop_on_backup,
   * so only the MASTER's dnsmasq runs, started by the promotion's lease steps (pull the peer's leases, then start) and
   * stopped on BACKUP; false: the lab runs dnsmasq on both gateways itself
   */
  dhcpOnMaster: boolean
}

export type RunResult = {code: number | null; stdout: string; stderr: string}
export type RunOptions = {ns?: string; input?: string; allowFail?: boolean; timeoutMs?: number; env?: NodeJS.ProcessEnv}

export type NodeView = {
  gw: Gw
  present: boolean
  vip?: boolean
  wanRule?: boolean
  wanUp?: boolean
  wanAddr?: boolean
  vrrpUp?: boolean
  keepalived?: boolean
  master?: boolean
}

export type SplitBrain = {ok: boolean; wanActive: Gw[]; vipHolders: Gw[]; views: NodeView[]}

export type LeaseCheck = {
  checked: boolean
  kept?: boolean
  reason?: string
  address?: string
  before?: string
  server?: string
  serverIsNewMaster?: boolean
  ms?: number
}

export type FailoverResult = {
  kind: FailoverKind
  from: Gw
  to: Gw
  tookOver: boolean
  /** the client could not reach the internet host before the failure until it re-ARPed (a stale switch entry) */
  preflightRetry: boolean
  actionMs: number
  vipMs: number | null
  ruleMs: number | null
  ruleAfterVipMs: number | null
  oldVipReleasedMs: number | null
  /** when the old MASTER's WAN rule went (null: it stayed, e.g. keepalived SIGKILLed) */
  oldRuleRemovedMs: number | null
  outageMs: number | null
  /** when the client got its first answer after the longest gap, ms after the failure */
  recoveredMs: number | null
  recovered: boolean
  udpLost: number
  tcpSurvived: boolean
  tcpStallMs: number | null
  tcpError: string | null
  splitBrain: {now: boolean; wanActive: Gw[]; vipHolders: Gw[]; windows: {fromMs: number; durationMs: number; open: boolean}[]}
  lease?: LeaseCheck
  /** restoreAfter: the restored node became MASTER on its way back (nopreempt says it should not) */
  restoredTookOver?: boolean
  /** dual stack (options.ipv6): the same measures for the client's IPv6 probe to ADDR6.remote, run beside the IPv4 one */
  v6?: Failover6
}

/** What the client saw of IPv6 during a failover. */
export type Failover6 = ReturnType<typeof analyzeProbe> & {
  /** the client's IPv6 default router before the failure and when the watch ended (the RA's link-local VIP) */
  routerBefore: string | null
  routerAfter: string | null
  /** the default router answered a ping when the watch ended */
  routerReachable: boolean
}

export type FailoverOptions = {
  settleMs?: number; probeIntervalMs?: number; lease?: boolean; restoreAfter?: boolean
  /** tests only: runs as soon as the new MASTER holds the VIP and WAN rule (e.g. to remove its IPv6 rule and show the test fails) */
  afterTakeover?: (neu: Gw) => void | Promise<void>
}

/** What `up` records in RUN/lab.json (read by later processes: `scripts/lab`, tests, the bench). */
export type LabState = {options: LabOptions; bin: string; startedAt: string; upMs: number}
export type ProbeResult = {udpSent: number; udpRecv: number[]; tcpSent: number; tcpRecv: number[]; tcpConnectedAt: number | null; tcpClosedAt: number | null; tcpError: string | null; stoppedAt: number}
type MonitorEvent = {at: number; line: string}
type IpAddrJson = {ifname: string; operstate?: string; addr_info?: {local: string}[]}
type IpRuleJson = {priority: number; table: string | number}
type ScriptSecurity = typeof import('../src/core/doctor/script-security.js')
type ProcessOptions = {ns?: string; gw?: Gw; env?: NodeJS.ProcessEnv; networkd?: boolean}

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const RUN = process.env.HAT_LAB_RUN ?? '/run/hat-lab'
export const NS = {isp: 'hat-isp', gw1: 'hat-gw1', gw2: 'hat-gw2', client: 'hat-client'} as const
export type Place = keyof typeof NS
export const GWS: Gw[] = ['gw1', 'gw2']
export const ADDR = {
  ispRouter: '198.51.100.1', wanLease: '198.51.100.10', remote: '203.0.113.10',
  vip: '192.168.1.3', lan: {gw1: '192.168.1.1', gw2: '192.168.1.2'}, sync: {gw1: '192.168.190.1', gw2: '192.168.190.2'},
}
/** The dual-stack lab's IPv6 (options.ipv6): documentation prefixes on the ISP side, a ULA on the LAN. */
export const ADDR6 = {
  ispRouter: '2001:db8:100::1', wanPrefix: '2001:db8:100::', remote: '2001:db8:203::10',
  vip: 'fd00:1::1/64', lanPrefix: 'fd00:1::/64', router: 'fe80::1',
}
export const WAN_MAC = '02:5e:10:00:00:01'
export const VRID = 60
export const VMAC_IF = `vrrp.${VRID}`
export const PORTS = {udp: 7, tcp: 9000}
export const TABLE_WAN = 250
export const TABLE_LAN = 240
export const RULE_PRIO = 32770
export const FALLBACK_PRIO = 32780
const PRIORITY: Record<Gw, number> = {gw1: 200, gw2: 100}
const TOOLS = join(ROOT, 'scripts/lab-tools')
const PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

export const DEFAULTS: LabOptions = {
  mode: 'baseline', // baseline | notify | fifo
  advertInt: 0.1,
  conntrackd: true,
  link: 'keep-up', // keep-up | down-on-backup (ha-tool's wan.link; baseline keeps the WAN up)
  lanGuard: true, // the LAN->LAN forward drop of DESIGN.md section 4
  fallbackIifLo: true, // table-240 rule only for the node's own traffic (iif lo)
  tcpLoose: 1, // net.netfilter.nf_conntrack_tcp_loose on the gateways
  ispLeaseSecs: 3600,
  // the ISP's DHCP server broadcasts its replies: a node booting while the MASTER sends with the shared MAC gets
  // its OFFER/ACK (unicast to that MAC, the switch sends it to the MASTER's port: seen in the lab, no lease in 15 s)
  ispDhcpBroadcast: false,
  lanLeaseSecs: 3600,
  client: 'dhcp', // dhcp | static (192.168.1.100/24 via the VIP)
  haToolLogLevel: 'info',
  dnsmasqExtraArgs: [], // extra arguments for the gateways' LAN dnsmasq (e.g. --dhcp-script=...)
  wanInputDrop: true, // the shipped example's input filter on wan0 (only established/related in); false: the seeds' (none)
  healthTargets: [], // ha-tool [health] targets: the daemon's monitor (fifo mode) writes a track_file keepalived tracks (weight 0), which maintenance uses too
  metrics: false, // ha-tool [metrics] textfile_dir = RUN/gwN/metrics (fifo mode: the daemon writes ha-tool.prom there)
  keepalivedGlobals: [], // extra global_defs lines (e.g. 'vrrp_garp_master_delay 1'), for the kill -9 study
  // the ha-tool the gateways run: '' = this checkout laid down by `scripts/install --destdir RUN/install`
  // (what users install); or an installed executable, e.g. /usr/sbin/ha-tool from the .deb (HAT_LAB_BIN)
  bin: process.env.HAT_LAB_BIN ?? '',
  // what systemd does with the shipped keepalived.service drop-in (ha-tool-guard.conf): run its
  // ExecStopPost= command once keepalived's service has ended (the lab has no PID-1 systemd)
  keepalivedGuard: false,
  preempt: false, // ha-tool's keepalived.preempt: the example preempts (preempt_delay) instead of nopreempt; gw1 (priority 200) takes MASTER back when it returns
  ipv6: false, // dual stack (ISP RAs and IPv6 host, lan.ipv6 with a ULA, a SLAAC client, an IPv6 probe in failover())
  conntrackdIpv6: true, // tests only: false = conntrackd ignores the LAN's IPv6 /64 (no IPv6 flow replicated)
  dhcpOnMaster: false, // active/passive DHCP: ha-tool starts dnsmasq on MASTER and stops it on BACKUP (dnsmasq.enabled); false: the lab runs both gateways' dnsmasq
  peer: false, // the peer port between the gateways: sshd on each sync address, [peer] keys, the shipped authorized_keys line, and dnsmasq's dhcp-script = `ha-tool leases hook`, so leases replicate (docs/leases.md)
}
export const MODES: Mode[] = ['baseline', 'notify', 'fifo']
export const KINDS: FailoverKind[] = ['stop', 'kill', 'lan', 'node']

// ---------------------------------------------------------------- small process helpers

/** Runs argv (optionally inside a namespace) and returns {code, stdout, stderr}; throws unless allowFail. */
export function run(argv: string[], {ns, input, allowFail = false, timeoutMs = 20000, env}: RunOptions = {}): RunResult {
  const full = ns ? ['ip', 'netns', 'exec', ns, ...argv] : argv
  const r = spawnSync(full[0], full.slice(1), {input, encoding: 'utf8', timeout: timeoutMs, env: env ?? {...process.env, PATH: process.env.PATH ?? PATH_ENV}})
  const res = {code: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '')}
  if (!allowFail && res.code !== 0) throw new Error(`lab: ${full.join(' ')} -> ${res.code}: ${res.stderr.trim()}`)
  return res
}

/** `ip -n NS -batch -` of several lines; throws on the first failing line. */
function ipBatch(ns: string, lines: string[], allowFail = false): void {
  if (lines.length === 0) return
  run(['ip', ...(ns ? ['-n', ns] : []), ...(allowFail ? ['-force'] : []), '-batch', '-'], {input: lines.join('\n') + '\n', allowFail})
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const nowMs = () => performance.timeOrigin + performance.now()

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^\d+ \(.*\) [ZX] /.test(stat)
  } catch { return false }
}

function pidFile(name: string): string { return join(RUN, 'pids', `${name}.pid`) }
export function pidOf(name: string): number | undefined {
  try { const pid = Number(readFileSync(pidFile(name), 'utf8').trim()); return pid > 0 ? pid : undefined } catch { return undefined }
}

/**
 * Starts a long-running process, detached (it outlives `scripts/lab up`), output to RUN/logs/NAME.log,
 * PID recorded in RUN/pids/NAME.pid. `mount` runs it inside the gateway's private mount view.
 */
export function startProcess(name: string, argv: string[], {ns, gw, env = {}, networkd = false}: ProcessOptions = {}): number {
  mkdirSync(join(RUN, 'logs'), {recursive: true})
  mkdirSync(join(RUN, 'pids'), {recursive: true})
  let full = argv
  if (gw) full = mountWrap(gw, argv, networkd)
  if (ns) full = ['ip', 'netns', 'exec', ns, ...full]
  const log = openSync(join(RUN, 'logs', `${name}.log`), 'a')
  const child = spawn(full[0], full.slice(1), {detached: true, stdio: ['ignore', log, log], env: {PATH: PATH_ENV, HOME: '/root', LANG: 'C.UTF-8', ...env}})
  closeSync(log)
  child.on('error', () => {})
  child.unref()
  writeFileSync(pidFile(name), `${child.pid}\n`)
  if (child.pid === undefined) throw new Error(`lab: could not start ${name} (${full[0]})`)
  return child.pid
}

/** Ends a tracked process by PID: SIGTERM (or `signal`), then SIGKILL after graceMs. */
export async function stopProcess(name: string, {signal = 'SIGTERM', graceMs = 3000}: {signal?: NodeJS.Signals; graceMs?: number} = {}): Promise<boolean> {
  const pid = pidOf(name)
  if (pid === undefined) return false
  if (alive(pid)) {
    try { process.kill(pid, signal) } catch {}
    const until = Date.now() + graceMs
    while (alive(pid) && Date.now() < until) await sleep(20)
    if (alive(pid)) { try { process.kill(pid, 'SIGKILL') } catch {} ; await sleep(50) }
  }
  rmSync(pidFile(name), {force: true})
  return true
}

export function isRunning(name: string): boolean { const pid = pidOf(name); return pid !== undefined && alive(pid) }

/** A gateway's processes see a private /run/systemd, /etc/systemd/network and /run/dbus, as on a real host. */
function mountWrap(gw: Gw, argv: string[], networkd: boolean): string[] {
  const root = join(RUN, gw, 'root')
  const script = [
    'set -e',
    `mount --bind ${root}/run-systemd /run/systemd`,
    `mount --bind ${root}/etc-network /etc/systemd/network`,
    `mount --bind ${root}/networkd.conf /etc/systemd/networkd.conf`,
    `mount --bind ${root}/run-dbus /run/dbus`,
    // sshd runs the peer port's forced command through root's shell, which reads the build host's ~/.bashrc
    // (test/support/sshd.ts): a gateway sees none.
    HIDE_HOST_BASHRC,
    // networkd waits for udev unless /sys is read-only (what nspawn containers get)
    ...(networkd ? ['mount -o remount,bind,ro /sys'] : []),
    'exec "$@"',
  ].join('\n')
  return ['unshare', '--mount', '--propagation', 'private', '/bin/sh', '-c', script, 'hat-lab', ...argv]
}

/** Runs a command inside a gateway with its private mount view (e.g. networkctl, ha-tool). */
export function gwExec(gw: Gw, argv: string[], opts: RunOptions = {}): RunResult {
  return run(['ip', 'netns', 'exec', NS[gw], ...mountWrap(gw, argv, false)], {...opts, env: {PATH: PATH_ENV, HOME: '/root', ...gwEnv(gw), ...(opts.env ?? {})}})
}

/** The environment a gateway's processes get (its private system bus, its ha-tool config). */
export function gwEnv(gw: Gw): Record<string, string> {
  return {DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${join(RUN, gw, 'root/run-dbus/system_bus_socket')}`, HA_TOOL_CONFIG: haConfigPath(gw)}
}

export function haConfigPath(gw: Gw): string { return join(RUN, gw, 'ha-tool.toml') }

/** Where `up` lays down this checkout with `scripts/install --destdir` (root-owned 0755 all the way up). */
export const INSTALL_DIR = join(RUN, 'install')
let labBin: string | undefined
/** The ha-tool executable the lab's gateways run (set by `up`; another process reads it from the lab's state). */
export function haToolBin(): string {
  const bin = labBin ?? readState()?.bin
  if (!bin) throw new Error('lab: not up (no installed ha-tool yet)')
  return bin
}

/**
 * Lays down the ha-tool the gateways run: `o.bin` as it is (an installed package's /usr/sbin/ha-tool, the
 * single executable), else this checkout's build through `scripts/install --destdir`, the tree users install.
 */
function installHaTool(o: LabOptions): void {
  if (o.bin) {
    if (!existsSync(o.bin)) throw new Error(`lab: bin ${o.bin} does not exist`)
    labBin = o.bin
    return
  }
  const r = run(['bash', join(ROOT, 'scripts/install'), '--destdir', INSTALL_DIR, '--no-build', '--state-dir', '/run/ha-tool'], {allowFail: true, timeoutMs: 120_000})
  if (r.code !== 0) throw new Error(`lab: scripts/install --destdir ${INSTALL_DIR} failed (${r.code}): ${r.stderr.trim()}`)
  labBin = join(INSTALL_DIR, 'usr/sbin/ha-tool')
}

// ---------------------------------------------------------------- lock (one lab per machine)

const LOCK = `${RUN}.lock`

/** Exclusive use of the lab between test files / helpers; a lock whose owner died is taken over. */
export async function acquireLabLock(owner = String(process.pid), timeoutMs = 15 * 60 * 1000): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    try {
      writeFileSync(LOCK, `${owner}\n`, {flag: 'wx'})
      return
    } catch {
      const held = (() => { try { return readFileSync(LOCK, 'utf8').trim() } catch { return '' } })()
      const pid = Number(held)
      if (held === owner) return
      if (!held || (Number.isInteger(pid) && pid > 0 && !alive(pid))) { rmSync(LOCK, {force: true}); continue }
      if (Date.now() > until) throw new Error(`lab: busy, held by ${held} (${LOCK}); run \`scripts/lab down\` if it is stale`)
      await sleep(500)
    }
  }
}
export function releaseLabLock(): void { rmSync(LOCK, {force: true}) }

// ---------------------------------------------------------------- config files

function busConf(socket: string): string {
  // The private system bus every test and the lab use: the stock policy, its own socket, no activation.
  return readFileSync(join(ROOT, 'scripts/lab-tools/private-bus.conf'), 'utf8').replace('@SOCKET@', socket)
}

/** The WAN .network's name in the gateways' /etc/systemd/network: the example's (10-<wan>-wan.network). */
export const WAN_NETWORK_FILE = '10-wan0-wan.network'

/**
 * The gateway's WAN .network: the shipped `ha-tool config example networkd --file wan` for its ha-tool.toml
 * (the lab's ISP has no IPv6: wan.dhcpv6 = false there). ActivationPolicy=manual comes with down-on-backup;
 * with keep-up networkd raises the link itself.
 */
function wanNetwork(gw: Gw): string {
  const text = example(gw, 'networkd', ['--file', 'wan'])
  if (!text.startsWith(`# /etc/systemd/network/${WAN_NETWORK_FILE} `)) throw new Error(`lab: the example's WAN file is no longer ${WAN_NETWORK_FILE} (scripts/lab.ts names it)`)
  return text
}

/** The LAN and sync .network files' names: the example's (20-<lan>-lan.network, 30-<sync>-sync.network). */
export const LAN_NETWORK_FILE = '20-lan0-lan.network'
export const SYNC_NETWORK_FILE = '30-sync0-sync.network'

/**
 * The gateway's LAN .network (`--file lan`: its address, the fallback default route via the VIP in table
 * TABLE_LAN and the rule for the node's own traffic) and sync .network (`--file sync`), as users install them;
 * --seed-fallback (the seeds' rule for all traffic, not only iif lo) drops the example's IncomingInterface=lo.
 */
function lanNetwork(gw: Gw, o: LabOptions): string {
  const text = example(gw, 'networkd', ['--file', 'lan'])
  if (!text.startsWith(`# /etc/systemd/network/${LAN_NETWORK_FILE} `)) throw new Error(`lab: the example's LAN file is no longer ${LAN_NETWORK_FILE} (scripts/lab.ts names it)`)
  return o.fallbackIifLo ? text : replaceOnce(text, /^IncomingInterface=lo\n/m, () => '')
}
function syncNetwork(gw: Gw): string {
  const text = example(gw, 'networkd', ['--file', 'sync'])
  if (!text.startsWith(`# /etc/systemd/network/${SYNC_NETWORK_FILE} `)) throw new Error(`lab: the example's sync file is no longer ${SYNC_NETWORK_FILE} (scripts/lab.ts names it)`)
  return text
}

/** networkd.conf: the shipped drop-in (`--file conf`: keep foreign routing-policy rules, ha-tool's and keepalived's). */
function networkdConf(gw: Gw): string {
  return example(gw, 'networkd', ['--file', 'conf'])
}

// ---- the daemons' configs: `ha-tool config example KIND --config <the node's ha-tool.toml>`, what users install

/** What `ha-tool config example KIND` prints for this node (its ha-tool.toml must be written first). */
function example(gw: Gw, kind: string, extra: string[] = []): string {
  const r = run([haToolBin(), 'config', 'example', kind, '--config', haConfigPath(gw), ...extra], {allowFail: true})
  if (r.code !== 0) throw new Error(`lab: \`ha-tool config example ${kind} --config ${haConfigPath(gw)}\` failed (${r.code}): ${r.stderr.trim()}`)
  return r.stdout
}

/** conntrack-tools' own keepalived notify script (the conntrackd package's example), as the seeds used it. */
const PRIMARY_BACKUP = '/usr/share/doc/conntrackd/examples/sync/primary-backup.sh'

/**
 * keepalived.conf: the shipped example (fifo: --mode fifo; notify: --mode script). baseline is keepalived
 * alone, the benchmark's reference: the same file without ha-tool's FIFO, plus keepalived's own virtual_rules
 * and (with conntrackd) conntrack-tools' primary-backup.sh as notify_master/backup/fault, its documented setup.
 */
function keepalivedConf(gw: Gw, o: LabOptions): string {
  let text = example(gw, 'keepalived', ['--mode', o.mode === 'notify' ? 'script' : 'fifo'])
  if (o.mode === 'baseline') {
    text = text.replace(/^\s*vrrp_notify_fifo .*\n/m, '')
    const script = join(RUN, gw, 'primary-backup.sh')
    const notify = (sp: string) => (o.conntrackd ? ['primary', 'backup', 'fault'].map((st) => `${sp}notify_${st === 'primary' ? 'master' : st} "${script} ${st}"\n`).join('') : '')
    text = replaceOnce(text, /^(\s*)virtual_ipaddress \{/m, (_, sp) => `${sp}virtual_rules {\n${sp}  to all lookup ${TABLE_WAN} priority ${RULE_PRIO}\n${sp}}\n${notify(sp)}${sp}virtual_ipaddress {`)
    // dual stack: the IPv6 instance (the example's second one, in the sync group) carries the IPv6 rule
    if (o.ipv6) text = replaceOnce(text, /^(vrrp_instance \S+_6 \{\n[\s\S]*?)^(\s*)virtual_ipaddress \{/m, (_, head, sp) => `${head}${sp}virtual_rules {\n${sp}  to all lookup ${TABLE_WAN} priority ${RULE_PRIO} inet6\n${sp}}\n${sp}virtual_ipaddress {`)
  }
  // studies only (scripts/bench/kill9-study.mjs): extra global_defs lines, last so they win
  const globals = o.keepalivedGlobals ?? []
  if (globals.length > 0) text = replaceOnce(text, /^global_defs \{\n/m, (m) => m + globals.map((l) => `  ${l}\n`).join(''))
  return text
}

/** The shipped conntrackd example; tests only (conntrackdIpv6 false): the LAN's IPv6 /64 ignored, so no IPv6 flow replicates. */
function conntrackdConf(gw: Gw, o: LabOptions): string {
  const text = example(gw, 'conntrackd')
  if (o.conntrackdIpv6 !== false) return text
  return replaceOnce(text, /^(\s*)Address Ignore \{\n/m, (m, sp) => `${m}${sp}  IPv6_address ${ADDR6.lanPrefix}\n`)
}

/** The shipped nftables example; the seeds' variants (no LAN guard, no WAN input filter) by removing its lines. */
function nftRuleset(gw: Gw, o: LabOptions): string {
  let text = example(gw, 'nftables')
  if (!o.lanGuard) text = replaceOnce(text, /^\s*iifname \{[^}]*\} oifname \{[^}]*\} drop\n/m, () => '')
  // (with wan.ipv6 the example lets ND/RA/DHCPv6 in between the two: those lines go too)
  if (!o.wanInputDrop) text = replaceOnce(text, /^\s*iifname "wan0" ct state established,related accept\n(?:\s*#.*\n|\s*iifname "wan0" (?:icmpv6|ip6) .*\n)*\s*iifname "wan0" drop\n/m, () => '')
  return text
}

/**
 * The shipped dnsmasq example. Its dhcp-script is the wrapper an install lays down (/usr/lib/ha-tool/dnsmasq-script):
 * with the peer port (o.peer) the lab's own wrapper, calling the lab's installed `ha-tool leases hook`, takes its place;
 * without it the line goes and the lab's ha-tool replicates no leases.
 */
function dnsmasqConf(gw: Gw, o: LabOptions): string {
  return replaceOnce(example(gw, 'dnsmasq'), /^dhcp-script=.*\n/m, () => (o.peer ? `dhcp-script=${join(RUN, gw, 'dnsmasq-script')}\n` : ''))
}

/**
 * The wrapper `ha-tool config example dnsmasq-script` prints for this node's config (its state.dir, the lab's
 * installed ha-tool as doctor.binary, --config): what a user installs as /etc/ha-tool/dnsmasq-script when the
 * shipped one does not fit. The lab keeps it in the node's run directory instead of /etc.
 */
function dnsmasqScript(gw: Gw): string {
  return example(gw, 'dnsmasq-script')
}

const sshDir = (gw: Gw): string => join(RUN, gw, 'ssh')

/**
 * The peer port's keys: each node its root key and host key; its authorized_keys holds the line the OTHER node's
 * `ha-tool config example authorized-keys` prints (forced command `ha-tool peer serve`, from its sync address),
 * and its known_hosts the other's host key (the peer port checks host keys strictly).
 */
function writePeerKeys(): void {
  for (const gw of GWS) {
    mkdirSync(sshDir(gw), {recursive: true, mode: 0o700})
    for (const key of ['id', 'hostkey']) run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `hat-lab-${gw}-${key}`, '-f', join(sshDir(gw), key)])
  }
  for (const gw of GWS) {
    const other = gw === 'gw1' ? 'gw2' : 'gw1'
    const pub = (g: Gw, key: string) => readFileSync(join(sshDir(g), `${key}.pub`), 'utf8').trim().split(' ').slice(0, 2).join(' ')
    const line = example(other, 'authorized-keys').split('\n').find((l) => l.startsWith('restrict,'))
    if (!line) throw new Error('lab: `ha-tool config example authorized-keys` printed no restrict,command=... line')
    writeFileSync(join(sshDir(gw), 'authorized_keys'), `${line.replace(/ ssh-ed25519 \S+$/, ` ${pub(other, 'id')}`)}\n`, {mode: 0o600})
    writeFileSync(join(sshDir(gw), 'known_hosts'), `${ADDR.sync[other]} ${pub(other, 'hostkey')}\n`, {mode: 0o600})
    writeFileSync(join(sshDir(gw), 'sshd_config'), [
      `ListenAddress ${ADDR.sync[gw]}`, `HostKey ${join(sshDir(gw), 'hostkey')}`, `PidFile ${join(sshDir(gw), 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(sshDir(gw), 'authorized_keys')}`, 'PermitRootLogin forced-commands-only', 'PasswordAuthentication no',
      'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', `SetEnv ${Object.entries(gwEnv(gw)).map(([k, v]) => `${k}=${v}`).join(' ')}`, '',
    ].join('\n'))
  }
}

/** primary-backup.sh with this node's conntrackd.conf and lock (two conntrackd on one host). */
function primaryBackup(gw: Gw): string {
  if (!existsSync(PRIMARY_BACKUP)) throw new Error(`lab: baseline with conntrackd needs conntrack-tools' ${PRIMARY_BACKUP} (the conntrackd package)`)
  let text = readFileSync(PRIMARY_BACKUP, 'utf8')
  text = replaceOnce(text, /^CONNTRACKD_CONFIG=.*$/m, () => `CONNTRACKD_CONFIG=${join(RUN, gw, 'conntrackd.conf')}`)
  text = replaceOnce(text, /^CONNTRACKD_LOCK=.*$/m, () => `CONNTRACKD_LOCK=${join(RUN, gw, 'conntrackd.lock')}`)
  return text
}

function replaceOnce(text: string, re: RegExp, fn: (...m: string[]) => string): string {
  if (!re.test(text)) throw new Error(`lab: the shipped example no longer has ${re} (scripts/lab.ts adapts it)`)
  return text.replace(re, fn)
}

function haToolToml(gw: Gw, o: LabOptions): string {
  const other = gw === 'gw1' ? 'gw2' : 'gw1'
  return `# ha-tool config of lab node ${gw} (written by scripts/lab)
[wan]
interface = "wan0"
table = ${TABLE_WAN}
rule_priority = ${RULE_PRIO}
link = "${o.link}"
link_via = "netlink"
${o.ipv6 ? `# dual stack: the WAN takes the ISP's router advertisements (IPv6 default route into table ${TABLE_WAN}); the lab's
# ISP runs no DHCPv6 server (test/support/pd-lab.ts has one), so networkd's Solicits go unanswered
dhcpv6 = true` : `# the lab's ISP has no IPv6: an IPv4-only WAN link in \`config example networkd\` (the IPv6 rule stays on)
dhcpv6 = false`}

[lan]
interface = "lan0"
vip = "${ADDR.vip}"
address = "${ADDR.lan[gw]}/24"
vrid = ${VRID}
fallback_table = ${TABLE_LAN}
fallback_priority = ${FALLBACK_PRIO}
${o.ipv6 ? `ipv6 = true
vip6 = "${ADDR6.vip}"
vip6_link_local = "${ADDR6.router}"
` : ''}
[sync]
interface = "sync0"
address = "${ADDR.sync[gw]}/29"

[keepalived]
instance = "VI_LAN"
# gw1 wins when both start at once; nopreempt keeps whoever is MASTER (preempt: gw1 takes it back)
priority = ${PRIORITY[gw]}
preempt = ${o.preempt}
advert_int_ms = ${Math.round(o.advertInt * 1000)}
fifo = "${join(RUN, gw, 'keepalived.fifo')}"
dbus = ${o.mode !== 'baseline'}
config = "${join(RUN, gw, 'keepalived.conf')}"
pidfile = "${join(RUN, gw, 'keepalived.pid')}"

[conntrackd]
enabled = ${o.conntrackd}
config = "${join(RUN, gw, 'conntrackd.conf')}"
# two conntrackd on one host: each its own socket, lock and log
socket = "${join(RUN, gw, 'conntrackd.ctl')}"
lock_file = "${join(RUN, gw, 'conntrackd.lock')}"
log_file = "${join(RUN, gw, 'conntrackd.log')}"

[dnsmasq]
leases = "${join(RUN, gw, 'dnsmasq.leases')}"
peer = "root@${ADDR.sync[other]}"
# the other node's file (the default is this node's path; the peer port serves only its own)
peer_leases = "${join(RUN, other, 'dnsmasq.leases')}"
pid_file = "${join(RUN, gw, 'dnsmasq.pid')}"
lease_time = "${o.lanLeaseSecs}"
${dhcpOnMaster(o) ? `# active/passive: ha-tool runs dnsmasq on MASTER only (the lease steps of a transition); the lab's dnsmasq command
enabled = true
start_command = ${JSON.stringify(dnsmasqArgv(gw, o, false))}
stop_command = ["pkill", "-F", "${join(RUN, gw, 'dnsmasq.pid')}"]
# (a lease the peer pushes while dnsmasq is stopped goes into the file it reads when it starts)
` : `# the lab runs both gateways' dnsmasq (active/active): the example gives each its half of the range
stop_on_backup = false
`}${o.peer ? `# ${dhcpOnMaster(o) ? 'the MASTER\'s dnsmasq serves' : 'both gateways\' dnsmasq serve (the lab does not stop the BACKUP\'s)'}: a lease pushed by the peer reaches the
# running dnsmasq over D-Bus (AddDhcpLease), which writes its own lease file; dnsmasq runs as root for the bus policy
apply = "dbus"` : `# no lease replication without --peer: merges restart dnsmasq
apply = "restart"`}

${o.peer ? `queue_dir = "${join(RUN, gw, 'lease-queue')}"
` : ''}
[state]
dir = "${join(RUN, gw, 'state')}"
${o.peer ? `
[peer]
# sshd on the other node's sync address (scripts/lab up --peer), its host key pinned
known_hosts = "${join(sshDir(gw), 'known_hosts')}"
identity = "${join(sshDir(gw), 'id')}"
command = ["${haToolBin()}"]
config = "${haConfigPath(other)}"
` : ''}
[doctor]
# keepalived runs the installed ha-tool (notify and check in script mode)
binary = "${haToolBin()}"

${(o.healthTargets ?? []).length ? `
[health]
targets = [${o.healthTargets.map((t) => JSON.stringify(t)).join(', ')}]
via = "wan"
interval_ms = 500
timeout_ms = 400
` : ''}${o.metrics ? `
[metrics]
textfile_dir = "${join(RUN, gw, 'metrics')}"
interval_ms = 2000
` : ''}
[log]
level = "${o.haToolLogLevel}"
file = "${join(RUN, 'logs', `${gw}-ha-tool.log`)}"
`
}

// ---------------------------------------------------------------- state

export function readState(): LabState | undefined {
  try { return JSON.parse(readFileSync(join(RUN, 'lab.json'), 'utf8')) } catch { return undefined }
}
function writeState(s: LabState): void { writeFileSync(join(RUN, 'lab.json'), JSON.stringify(s, null, 2) + '\n') }

// ---------------------------------------------------------------- up / down

export function namespacesPresent(): string[] {
  const r = run(['ip', 'netns', 'list'], {allowFail: true})
  const names = r.stdout.split('\n').map((l) => l.split(' ')[0]).filter(Boolean)
  return Object.values(NS).filter((n) => names.includes(n))
}

/** PIDs of every process inside the lab's namespaces (all started by the lab or by its daemons). */
export function labPids(): number[] {
  const pids = []
  for (const ns of namespacesPresent()) {
    const r = run(['ip', 'netns', 'pids', ns], {allowFail: true})
    for (const p of r.stdout.split(/\s+/).filter(Boolean)) pids.push(Number(p))
  }
  return pids.filter((p) => p !== process.pid && alive(p))
}

export async function down({quiet = false}: {quiet?: boolean} = {}): Promise<void> {
  labBin = undefined
  const say = quiet ? () => {} : (m: string) => { process.stderr.write(`lab: ${m}\n`) }
  // tracked processes first, by PID, clients before servers
  const order = ['client-probe', 'client-dhclient', 'gw1-hatd', 'gw2-hatd', 'gw1-keepalived', 'gw2-keepalived', 'gw1-conntrackd', 'gw2-conntrackd', 'gw1-dnsmasq', 'gw2-dnsmasq', 'gw1-sshd', 'gw2-sshd', 'gw1-networkd', 'gw2-networkd', 'gw1-dbus', 'gw2-dbus', 'isp-echo', 'isp-dnsmasq']
  const tracked = existsSync(join(RUN, 'pids')) ? readdirSync(join(RUN, 'pids')).map((f) => f.replace(/\.pid$/, '')) : []
  for (const name of [...order.filter((n) => tracked.includes(n)), ...tracked.filter((n) => !order.includes(n))]) {
    if (await stopProcess(name, {graceMs: 2000})) say(`stopped ${name}`)
  }
  // what our daemons spawned (notify scripts, keepalived's VRRP child, a left-over of a crash): by PID too
  for (let round = 0; round < 3; round++) {
    const left = labPids()
    if (left.length === 0) break
    for (const p of left) { try { process.kill(p, round === 0 ? 'SIGTERM' : 'SIGKILL') } catch {} }
    say(`ended ${left.length} process(es) left in the lab namespaces: ${left.join(' ')}`)
    await sleep(300)
  }
  const present = namespacesPresent()
  destroyNamespaces(present)
  for (const ns of present) say(`deleted netns ${ns}`)
  if (existsSync(RUN)) {
    // keep the logs of the last run for post-mortems; everything else goes
    const last = `${RUN}.last-logs`
    rmSync(last, {recursive: true, force: true})
    if (existsSync(join(RUN, 'logs'))) { try { renameSync(join(RUN, 'logs'), last) } catch {} }
    rmSync(RUN, {recursive: true, force: true})
  }
}

function prepareRunDir(o: LabOptions): void {
  // mount points of the gateways' private views (a container without systemd as PID 1 may lack them)
  for (const d of ['/run/systemd', '/run/dbus', '/etc/systemd/network']) mkdirSync(d, {recursive: true, mode: 0o755})
  if (!existsSync('/etc/systemd/networkd.conf')) throw new Error('lab: /etc/systemd/networkd.conf is missing (is systemd installed? scripts/install-system-deps)')
  mkdirSync(RUN, {recursive: true, mode: 0o755})
  chmodSync(RUN, 0o755) // networkd drops to systemd-network and must reach the bus socket
  for (const d of ['pids', 'logs', 'isp', 'client']) mkdirSync(join(RUN, d), {recursive: true})
  installHaTool(o)
  for (const gw of GWS) {
    const root = join(RUN, gw, 'root')
    for (const d of ['run-systemd', 'etc-network', 'run-dbus', '../state', '../metrics']) mkdirSync(join(root, d), {recursive: true, mode: 0o755})
    writeFileSync(join(RUN, gw, 'bus.conf'), busConf(join(root, 'run-dbus/system_bus_socket')))
    writeNodeConfigs(gw, o)
  }
  if (o.peer) writePeerKeys()
}

/** One node's configs: its ha-tool.toml, then each daemon's from `ha-tool config example` on it. */
export function writeNodeConfigs(gw: Gw, o: LabOptions): void {
  mkdirSync(join(RUN, gw), {recursive: true})
  writeFileSync(haConfigPath(gw), haToolToml(gw, o))
  if (o.mode === 'baseline' && o.conntrackd) writeFileSync(join(RUN, gw, 'primary-backup.sh'), primaryBackup(gw), {mode: 0o755})
  writeFileSync(join(RUN, gw, 'keepalived.conf'), keepalivedConf(gw, o))
  writeFileSync(join(RUN, gw, 'conntrackd.conf'), conntrackdConf(gw, o))
  writeFileSync(join(RUN, gw, 'nft.conf'), nftRuleset(gw, o))
  writeFileSync(join(RUN, gw, 'dnsmasq.conf'), dnsmasqConf(gw, o))
  const root = join(RUN, gw, 'root')
  mkdirSync(join(root, 'etc-network'), {recursive: true, mode: 0o755})
  writeFileSync(join(root, 'etc-network', WAN_NETWORK_FILE), wanNetwork(gw), {mode: 0o644})
  writeFileSync(join(root, 'etc-network', LAN_NETWORK_FILE), lanNetwork(gw, o), {mode: 0o644})
  writeFileSync(join(root, 'etc-network', SYNC_NETWORK_FILE), syncNetwork(gw), {mode: 0o644})
  writeFileSync(join(root, 'networkd.conf'), networkdConf(gw), {mode: 0o644})
  if (o.peer) writeFileSync(join(RUN, gw, 'dnsmasq-script'), dnsmasqScript(gw), {mode: 0o755})
}

/** The lab's namespaces and cables, on the one topology builder (test/support/topology.ts). */
function buildTopology(): void {
  buildTopo<Place>({
    prefix: 'hat-', names: NS,
    nodes: {
      // ISP: a bridge (the access switch) with the router address, the internet host on lo
      isp: {bridges: [{dev: 'wanbr', addrs: [`${ADDR.ispRouter}/24`]}], loAddrs: [`${ADDR.remote}/32`]},
      gw1: {}, gw2: {},
      // LAN switch in the client namespace; the bridge is also the client's interface
      client: {bridges: [{dev: 'lanbr'}]},
    },
    // the gateways' ends stay down: startGateway raises wan0, networkd the LAN and sync links
    links: [
      ...GWS.flatMap((gw): Array<[End<Place>, End<Place>]> => [
        [{node: gw, dev: 'wan0', mac: WAN_MAC, up: false}, {node: 'isp', dev: `wan-${gw}`, master: 'wanbr'}],
        [{node: gw, dev: 'lan0', up: false}, {node: 'client', dev: `lan-${gw}`, master: 'lanbr'}],
      ]),
      [{node: 'gw1', dev: 'sync0', up: false}, {node: 'gw2', dev: 'sync0', up: false}],
    ],
  })
}

function sysctl(ns: string, kv: Record<string, string | number>): void {
  run(['sysctl', '-q', '-w', ...Object.entries(kv).map(([k, v]) => `${k}=${v}`)], {ns})
}

async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 10000, stepMs = 20): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > until) throw new Error(`lab: timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(stepMs)
  }
}

async function startIsp(o: LabOptions): Promise<void> {
  // dual stack: the ISP router's IPv6 address (its RAs give the gateways their IPv6 default route) and the IPv6 host
  if (o.ipv6) ipBatch(NS.isp, [`addr add ${ADDR6.ispRouter}/64 dev wanbr nodad`, `addr add ${ADDR6.remote}/128 dev lo nodad`])
  startProcess('isp-dnsmasq', ['dnsmasq', '--conf-file=/dev/null', '--keep-in-foreground', '--port=0', '--no-ping',
    '--interface=wanbr', '--bind-interfaces', '--dhcp-authoritative', ...(o.ispDhcpBroadcast ? ['--dhcp-broadcast'] : []),
    ...(o.ipv6 ? ['--enable-ra', `--dhcp-range=${ADDR6.wanPrefix},ra-only,64,1h`, '--ra-param=wanbr,60,1800'] : []),
    `--dhcp-range=${ADDR.wanLease},${ADDR.wanLease},255.255.255.0,${o.ispLeaseSecs}`,
    `--dhcp-option=option:router,${ADDR.ispRouter}`,
    `--dhcp-leasefile=${join(RUN, 'isp/dnsmasq.leases')}`, '--log-dhcp', `--log-facility=${join(RUN, 'logs/isp-dnsmasq-dhcp.log')}`,
    `--pid-file=${join(RUN, 'isp/dnsmasq.pid')}`], {ns: NS.isp})
  startProcess('isp-echo', [process.execPath, join(TOOLS, 'echo-server.mjs'), ADDR.remote, String(PORTS.udp), String(PORTS.tcp)], {ns: NS.isp})
  await waitFor('the ISP echo server', () => readFileSync(join(RUN, 'logs/isp-echo.log'), 'utf8').includes('listening'), 10000)
  if (o.ipv6) {
    startProcess('isp-echo6', [process.execPath, join(TOOLS, 'echo-server.mjs'), ADDR6.remote, String(PORTS.udp), String(PORTS.tcp)], {ns: NS.isp})
    await waitFor('the ISP IPv6 echo server', () => readFileSync(join(RUN, 'logs/isp-echo6.log'), 'utf8').includes('listening'), 10000)
  }
}

/** The WAN's IPv6 link-local address from the cloned MAC (EUI-64): the same on both nodes, so the ISP's route to the LAN fits either. */
export function wanLinkLocal(): string {
  const b = WAN_MAC.split(':').map((x) => Number.parseInt(x, 16))
  const eui = [b[0] ^ 2, b[1], b[2], 0xff, 0xfe, b[3], b[4], b[5]]
  const groups = [0, 2, 4, 6].map((i) => ((eui[i] << 8) | eui[i + 1]).toString(16))
  return `fe80::${groups.join(':')}`
}

/** The gateway's WAN holds the shared link-local address and table 250 the IPv6 default route from the ISP's RA. */
export function wan6Ready(gw: Gw): boolean {
  const j = <T>(argv: string[]): T[] => { try { return JSON.parse(run(['ip', '-n', NS[gw], '-j', '-6', ...argv], {allowFail: true}).stdout) as T[] } catch { return [] } }
  const ll = j<{addr_info?: {local: string; tentative?: boolean}[]}>(['addr', 'show', 'dev', 'wan0', 'scope', 'link'])[0]?.addr_info?.some((a) => a.local === wanLinkLocal() && !a.tentative)
  return Boolean(ll) && j(['route', 'show', 'table', String(TABLE_WAN), 'default']).length > 0
}

/** Resets a gateway to a freshly booted state: addresses, rules, routes, nftables, conntrack. */
function resetGateway(gw: Gw): void {
  const ns = NS[gw]
  run(['ip', '-n', ns, 'link', 'del', VMAC_IF], {allowFail: true})
  for (const prio of [RULE_PRIO, FALLBACK_PRIO]) {
    for (let i = 0; i < 4; i++) if (run(['ip', '-n', ns, 'rule', 'del', 'priority', String(prio)], {allowFail: true}).code !== 0) break
  }
  for (const t of [TABLE_WAN, TABLE_LAN]) run(['ip', '-n', ns, 'route', 'flush', 'table', String(t)], {allowFail: true})
  for (let i = 0; i < 4; i++) if (run(['ip', '-n', ns, '-6', 'rule', 'del', 'priority', String(RULE_PRIO)], {allowFail: true}).code !== 0) break
  run(['ip', '-n', ns, '-6', 'route', 'flush', 'table', String(TABLE_WAN)], {allowFail: true})
  ipBatch(ns, ['addr flush dev lan0', 'addr flush dev sync0', 'addr flush dev wan0'], true)
  run(['nft', 'flush', 'ruleset'], {ns, allowFail: true})
  run(['conntrack', '-F'], {ns, allowFail: true, timeoutMs: 5000})
}

/** Boots one gateway: NAT, networkd (WAN, LAN and sync links from the example's files), then its daemons (keepalived last). */
export async function startGateway(gw: Gw, o: LabOptions, {keepalived = true}: {keepalived?: boolean} = {}): Promise<void> {
  const ns = NS[gw]
  sysctl(ns, {
    'net.ipv4.ip_forward': 1,
    'net.ipv4.conf.all.rp_filter': 0,
    'net.ipv4.conf.default.rp_filter': 0,
    ...(o.ipv6 ? {'net.ipv6.conf.all.forwarding': 1} : {}),
  })
  resetGateway(gw)
  ipBatch(ns, ['link set lo up'])
  run(['nft', '-f', join(RUN, gw, 'nft.conf')], {ns})
  sysctl(ns, {'net.netfilter.nf_conntrack_tcp_loose': o.tcpLoose})

  // private system bus, then the real networkd for the WAN
  rmSync(join(RUN, gw, 'root/run-dbus/system_bus_socket'), {force: true})
  startProcess(`${gw}-dbus`, ['dbus-daemon', `--config-file=${join(RUN, gw, 'bus.conf')}`, '--nofork', '--nopidfile'], {ns})
  await waitFor(`${gw} bus socket`, () => existsSync(join(RUN, gw, 'root/run-dbus/system_bus_socket')), 5000)
  startProcess(`${gw}-networkd`, ['/lib/systemd/systemd-networkd'], {ns, gw, networkd: true, env: {...gwEnv(gw), SYSTEMD_LOG_LEVEL: 'info', SYSTEMD_LOG_TARGET: 'console'}})
  await waitFor(`${gw} networkd on the bus`, () => run(['busctl', `--address=unix:path=${join(RUN, gw, 'root/run-dbus/system_bus_socket')}`, 'status', 'org.freedesktop.network1'], {allowFail: true}).code === 0, 10000, 50)
  // the example's ActivationPolicy=manual (down-on-backup): the link comes up only when someone raises it (here: boot);
  // with keep-up networkd has raised it already
  ipBatch(ns, ['link set wan0 up'])
  await waitFor(`${gw} WAN lease and table ${TABLE_WAN} default route`, () => wanReady(gw), 15000, 50)
  if (o.ipv6) await waitFor(`${gw} WAN link-local ${wanLinkLocal()} and the IPv6 default route in table ${TABLE_WAN} (ISP RA)`, () => wan6Ready(gw), 15000, 50)
  // the LAN and sync links as networkd configures them from the example's files (keepalived, dnsmasq, conntrackd
  // and sshd bind to these addresses)
  await waitFor(`${gw} LAN and sync addresses, fallback route and rule from networkd`, () => lanReady(gw), 15000, 50)

  if (o.conntrackd) {
    rmSync(join(RUN, gw, 'conntrackd.ctl'), {force: true})
    rmSync(join(RUN, gw, 'conntrackd.lock'), {force: true})
    startProcess(`${gw}-conntrackd`, ['conntrackd', '-C', join(RUN, gw, 'conntrackd.conf')], {ns, gw})
    await waitFor(`${gw} conntrackd socket`, () => existsSync(join(RUN, gw, 'conntrackd.ctl')), 5000)
  }
  if (o.peer) {
    // the peer port: up before dnsmasq, whose hook pushes the first lease to the other node through it
    await stopProcess(`${gw}-sshd`)
    mkdirSync('/run/sshd', {recursive: true, mode: 0o755}) // sshd's privilege separation directory
    startProcess(`${gw}-sshd`, ['/usr/sbin/sshd', '-D', '-e', '-f', join(sshDir(gw), 'sshd_config')], {ns, gw})
    await waitFor(`${gw} sshd on ${ADDR.sync[gw]}:22`, () => run(['ss', '-Htln', 'sport = :22'], {ns, allowFail: true}).stdout.includes(ADDR.sync[gw]), 5000, 50)
  }
  // active/passive: ha-tool starts it on MASTER (dnsmasq.start_command)
  if (!dhcpOnMaster(o)) startProcess(`${gw}-dnsmasq`, dnsmasqArgv(gw, o, true), {ns, gw})
  if (keepalived) await startKeepalived(gw, o)
}

/** The shipped dnsmasq example; on the command line only how the lab runs it (foreground or not, logs, no upstream DNS). */
function dnsmasqArgv(gw: Gw, o: LabOptions, foreground: boolean): string[] {
  return ['dnsmasq', `--conf-file=${join(RUN, gw, 'dnsmasq.conf')}`, ...(foreground ? ['--keep-in-foreground'] : []), '--no-resolv', '--no-hosts', '--no-ping',
    `--host-record=echo.lab,${ADDR.remote}`,
    '--log-dhcp', `--log-facility=${join(RUN, 'logs', `${gw}-dnsmasq-dhcp.log`)}`, ...(o.peer ? ['--user=root'] : []), ...o.dnsmasqExtraArgs]
}

const dhcpOnMaster = (o: LabOptions): boolean => o.dhcpOnMaster && o.mode !== 'baseline'

export async function startKeepalived(gw: Gw, o: LabOptions): Promise<void> {
  const ns = NS[gw]
  run(['ip', '-n', ns, 'link', 'del', VMAC_IF], {allowFail: true})
  // keepalived is not running here: pid files left by a node-down (or kill -9) name dead PIDs, which another
  // process may hold by now ("daemon is already running": seen in the lab), and the wait below must see the new one
  for (const f of ['keepalived.pid', 'keepalived-vrrp.pid']) rmSync(join(RUN, gw, f), {force: true})
  if (o.mode === 'fifo' && haToolHas('daemon') && !isRunning(`${gw}-hatd`)) {
    // its own service, not keepalived's child: it must outlive a keepalived crash (its watchdog)
    startProcess(`${gw}-hatd`, [haToolBin(), 'daemon', '--config', haConfigPath(gw)], {ns, gw, env: gwEnv(gw)})
  }
  startProcess(`${gw}-keepalived`, ['keepalived', '-n', '-l', '-D', '-P', '-f', join(RUN, gw, 'keepalived.conf'),
    '-p', join(RUN, gw, 'keepalived.pid'), '-r', join(RUN, gw, 'keepalived-vrrp.pid')], {ns, gw, env: gwEnv(gw)})
  await waitFor(`${gw} keepalived VRRP child`, () => existsSync(join(RUN, gw, 'keepalived-vrrp.pid')), 5000)
}

let haToolCommands: Set<string> | undefined
/** Whether the built ha-tool has a command (the lab wires ha-tool modes in as they land). */
export function haToolHas(cmd: string): boolean {
  if (!haToolCommands) {
    try {
      const m = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8'))
      haToolCommands = new Set(Object.keys(m.commands ?? {}))
    } catch { haToolCommands = new Set() }
    if (!existsSync(join(ROOT, 'dist'))) haToolCommands = new Set()
  }
  return haToolCommands.has(cmd)
}

/** The WAN holds the ISP's one address and table 250 has its default route. */
export function wanReady(gw: Gw): boolean {
  const a = run(['ip', '-n', NS[gw], '-j', '-4', 'addr', 'show', 'dev', 'wan0'], {allowFail: true})
  const r = run(['ip', '-n', NS[gw], '-j', 'route', 'show', 'table', String(TABLE_WAN), 'default'], {allowFail: true})
  try {
    const hasAddr = (JSON.parse(a.stdout) as IpAddrJson[])[0]?.addr_info?.some((x) => x.local === ADDR.wanLease)
    return Boolean(hasAddr && JSON.parse(r.stdout).length > 0)
  } catch { return false }
}

/** The LAN and sync links as the example's .network files configure them: addresses, the fallback route and its rule. */
export function lanReady(gw: Gw): boolean {
  const j = <T>(argv: string[]): T[] => { try { return JSON.parse(run(['ip', '-n', NS[gw], '-j', ...argv], {allowFail: true}).stdout) as T[] } catch { return [] } }
  const has = (dev: string, addr: string) => j<IpAddrJson>(['-4', 'addr', 'show', 'dev', dev])[0]?.addr_info?.some((x) => x.local === addr) ?? false
  return has('lan0', ADDR.lan[gw]) && has('sync0', ADDR.sync[gw])
    && j(['route', 'show', 'table', String(TABLE_LAN), 'default']).length > 0
    && j<IpRuleJson>(['rule', 'show']).some((r) => r.priority === FALLBACK_PRIO && String(r.table) === String(TABLE_LAN))
}

async function startClient(o: LabOptions): Promise<void> {
  if (o.client === 'static') {
    ipBatch(NS.client, ['addr add 192.168.1.100/24 dev lanbr', `route replace default via ${ADDR.vip}`])
  } else {
    await startDhclient()
    await waitFor('client DHCP lease', () => clientAddress(), 20000, 50)
  }
  // dual stack: SLAAC from the MASTER's router advertisements (dnsmasq on vrrp6.<vrid>), default router fe80::1
  if (o.ipv6) await waitFor(`the client's SLAAC address in ${ADDR6.lanPrefix} and its default router ${ADDR6.router} (RA)`, () => clientAddress6() && clientRouter6(), 20000, 100)
}

/** The client's SLAAC address in the LAN's /64 (DAD done), or undefined. */
export function clientAddress6(): string | undefined {
  const a = run(['ip', '-n', NS.client, '-j', '-6', 'addr', 'show', 'dev', 'lanbr', 'scope', 'global'], {allowFail: true})
  const net = ADDR6.lanPrefix.split('::')[0] + ':'
  try { return (JSON.parse(a.stdout) as {addr_info?: {local: string; tentative?: boolean}[]}[])[0]?.addr_info?.find((x) => x.local.startsWith(net) && !x.tentative)?.local } catch { return undefined }
}

/** The client's IPv6 default router (from RAs), or undefined. */
export function clientRouter6(): string | undefined {
  const r = run(['ip', '-n', NS.client, '-j', '-6', 'route', 'show', 'default'], {allowFail: true})
  try { return (JSON.parse(r.stdout) as {gateway?: string}[]).find((x) => x.gateway)?.gateway } catch { return undefined }
}

async function startDhclient(): Promise<void> {
  await stopProcess('client-dhclient')
  // dhclient gives its script a clean environment: the log path is baked into a copy of the script
  const script = join(RUN, 'client/dhclient-script.sh')
  writeFileSync(script, readFileSync(join(TOOLS, 'dhclient-script.sh'), 'utf8').replace('@LOG@', join(RUN, 'client/dhcp-events.log')), {mode: 0o755})
  startProcess('client-dhclient', ['dhclient', '-d', '-4', '-sf', script,
    '-lf', join(RUN, 'client/dhclient.leases'), '-pf', join(RUN, 'client/dhclient.pid'), 'lanbr'],
  {ns: NS.client})
}

/** The client's address on the LAN, or undefined. */
export function clientAddress(): string | undefined {
  const a = run(['ip', '-n', NS.client, '-j', '-4', 'addr', 'show', 'dev', 'lanbr'], {allowFail: true})
  try { return (JSON.parse(a.stdout) as IpAddrJson[])[0]?.addr_info?.find((x) => x.local.startsWith('192.168.1.'))?.local } catch { return undefined }
}

/** DHCP events the client's dhclient reported: [{at, reason, address, server}]. */
export function clientDhcpEvents(): {at: number; reason: string; address?: string; server?: string}[] {
  const f = join(RUN, 'client/dhcp-events.log')
  if (!existsSync(f)) return []
  return readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
    const [at, reason, address, server] = l.split(' ')
    return {at: Number(at) * 1000, reason, address: address || undefined, server: server || undefined}
  })
}

/**
 * Brings the lab up (tearing down any previous one first). Resolves with the state once gw1 is MASTER
 * and the client reaches the internet host through the VIP.
 */
export async function up(options: Partial<LabOptions> = {}): Promise<LabState> {
  const o = {...DEFAULTS, ...options}
  if (!MODES.includes(o.mode)) throw new Error(`lab: unknown mode ${o.mode} (one of ${MODES.join(', ')})`)
  if (!o.bin && !haToolHas('config:example')) throw new Error('lab: every mode runs the configs `ha-tool config example` prints (build it: npm run build)')
  if (!o.bin && o.mode === 'notify' && !haToolHas('notify')) throw new Error('lab: mode notify needs `ha-tool notify` (build it: node scripts/build.mjs && npx oclif manifest)')
  if (!o.bin && o.mode === 'fifo' && !haToolHas('daemon')) throw new Error('lab: mode fifo needs `ha-tool daemon` (build it: node scripts/build.mjs && npx oclif manifest)')
  await down({quiet: true})
  const started = Date.now()
  prepareRunDir(o)
  await checkScriptSecurity(o)
  buildTopology()
  await startIsp(o)
  // gw1 boots first and wins the first election (higher priority); gw2 joins as BACKUP
  await Promise.all(GWS.map((gw) => startGateway(gw, o, {keepalived: false})))
  await startKeepalived('gw1', o)
  await waitFor('gw1 MASTER with VIP and WAN rule', () => nodeView('gw1').master, 15000, 20)
  await startKeepalived('gw2', o)
  await waitFor('gw2 BACKUP', () => nodeView('gw2').vrrpUp, 10000, 20)
  // the ISP routes the LAN's IPv6 /64 to the gateways' shared WAN link-local address (a delegated prefix's route)
  if (o.ipv6) ipBatch(NS.isp, [`route replace ${ADDR6.lanPrefix} via ${wanLinkLocal()} dev wanbr`])
  if (o.mode !== 'baseline' && o.link === 'down-on-backup') await waitFor('ha-tool to take gw2\'s WAN down (BACKUP)', () => !nodeView('gw2').wanUp, 10000, 20)
  await startClient(o)
  await settle(300)
  const state = {options: o, bin: haToolBin(), startedAt: new Date().toISOString(), upMs: Date.now() - started}
  writeState(state)
  return state
}

/**
 * keepalived refuses (disables) a script whose path fails its script security: the lab applies
 * ha-tool's own copy of the rule (src/core/doctor/script-security.ts, the one doctor uses and the
 * integration tests hold against keepalived -t), so a checkout under sticky /tmp is accepted.
 */
async function checkScriptSecurity(o: LabOptions): Promise<void> {
  if (o.mode !== 'notify') return
  // the built module (the lab checks what is installed); its types are the source's
  const {pathPrefixes, scriptSecurityProblems} = await import(join(ROOT, 'dist/core/doctor/script-security.js')) as typeof import('../src/core/doctor/script-security.js')
  // keepalived checks the path it is given and, for a symlink (/usr/sbin/ha-tool), its target's chain
  for (const script of new Set([haToolBin(), realpathSync(haToolBin())])) checkChain(script, pathPrefixes, scriptSecurityProblems)
}

function checkChain(script: string, pathPrefixes: ScriptSecurity['pathPrefixes'], scriptSecurityProblems: ScriptSecurity['scriptSecurityProblems']): void {
  const chain = pathPrefixes(script).map((p) => {
    const st = lstatSync(p)
    return {path: p, uid: st.uid, gid: st.gid, mode: st.mode, kind: st.isDirectory() ? 'dir' as const : st.isFile() ? 'file' as const : st.isSymbolicLink() ? 'symlink' as const : 'other' as const}
  })
  const problems = scriptSecurityProblems(chain)
  if (problems.length > 0) throw new Error(`lab: keepalived's script security would refuse ${script}: ${problems.map((p) => `${p.path}: ${p.problem} (${p.fix})`).join('; ')}`)
}

// ---------------------------------------------------------------- observe

/** One gateway as ha-tool and the split-brain watch see it. */
export function nodeView(gw: Gw): NodeView {
  const ns = NS[gw]
  if (!namespacesPresent().includes(ns)) return {gw, present: false}
  const addrs = ((): IpAddrJson[] => { try { return JSON.parse(run(['ip', '-n', ns, '-j', '-4', 'addr', 'show'], {allowFail: true}).stdout) } catch { return [] } })()
  const rules = ((): IpRuleJson[] => { try { return JSON.parse(run(['ip', '-n', ns, '-j', 'rule', 'show'], {allowFail: true}).stdout) } catch { return [] } })()
  const link = (name: string) => addrs.find((l) => l.ifname === name)
  // a VIP on an interface without carrier (node down, cable pulled) answers nobody
  const vip = addrs.some((l) => l.operstate === 'UP' && l.addr_info?.some((a) => a.local === ADDR.vip))
  const wanRule = rules.some((r) => r.priority === RULE_PRIO && r.table === String(TABLE_WAN))
  const wan = link('wan0')
  const wanUp = Boolean(wan && wan.operstate === 'UP')
  const wanAddr = Boolean(wan?.addr_info?.some((a) => a.local === ADDR.wanLease))
  const vrrp = link(VMAC_IF)
  return {
    gw, present: true, vip, wanRule, wanUp, wanAddr,
    vrrpUp: Boolean(vrrp) || isRunning(`${gw}-keepalived`),
    keepalived: isRunning(`${gw}-keepalived`),
    master: vip && wanRule,
  }
}

/** The split-brain watch: at most one node may route out the WAN (rule in place and WAN link up). */
export function splitBrain(): SplitBrain {
  const views = GWS.map(nodeView)
  const wanActive = views.filter((v) => v.present && v.wanRule && v.wanUp).map((v) => v.gw)
  const vipHolders = views.filter((v) => v.present && v.vip).map((v) => v.gw)
  return {ok: wanActive.length <= 1, wanActive, vipHolders, views}
}

export function master(): Gw | undefined {
  const holders = GWS.filter((gw) => nodeView(gw).vip)
  return holders.length === 1 ? holders[0] : undefined
}

export function status() {
  const present = namespacesPresent()
  const state = readState()
  const tracked = existsSync(join(RUN, 'pids')) ? readdirSync(join(RUN, 'pids')).map((f) => f.replace(/\.pid$/, '')) : []
  return {
    up: present.length === 4 && Boolean(state),
    namespaces: present,
    options: state?.options,
    processes: Object.fromEntries(tracked.map((n) => [n, {pid: pidOf(n), running: isRunning(n)}])),
    nodes: present.length === 4 ? GWS.map(nodeView) : [],
    client: present.includes(NS.client) ? clientAddress() : undefined,
    splitBrain: present.length === 4 ? splitBrain() : undefined,
  }
}

// ---------------------------------------------------------------- timeline (ip monitor on both nodes)

/** The lab's own watchers that live inside a gateway's namespace (a "node down" must not kill them). */
const observers = new Set<number | undefined>()

/** `ip -ts monitor` on both gateways: kernel-time events of rules, addresses and links. */
export function startMonitors(): {stop(): Promise<Record<Gw, MonitorEvent[]>>} {
  const mons = GWS.map((gw) => {
    const child = spawn('ip', ['-n', NS[gw], '-ts', 'monitor', 'rule', 'address', 'link'], {stdio: ['ignore', 'pipe', 'ignore']})
    observers.add(child.pid)
    child.on('exit', () => observers.delete(child.pid))
    const events: MonitorEvent[] = []
    let buf = ''
    child.stdout.on('data', (d) => {
      buf += d.toString()
      let i
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i); buf = buf.slice(i + 1)
        const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d+)\]\s?(.*)$/.exec(line)
        if (!m) continue
        const at = new Date(m[1]).getTime() + Number(`0.${m[2]}`) * 1000
        events.push({at, line: m[3]})
      }
    })
    return {gw, child, events}
  })
  return {
    async stop() {
      await sleep(50)
      for (const m of mons) m.child.kill('SIGTERM')
      return Object.fromEntries(mons.map((m) => [m.gw, m.events])) as Record<Gw, MonitorEvent[]>
    },
  }
}

const isRuleAdd = (l: string): boolean => !l.startsWith('Deleted') && new RegExp(`^${RULE_PRIO}:\\s.*lookup ${TABLE_WAN}`).test(l)
const isRuleDel = (l: string): boolean => l.startsWith('Deleted') && new RegExp(`${RULE_PRIO}:\\s.*lookup ${TABLE_WAN}`).test(l)
const isVipAdd = (l: string): boolean => !l.startsWith('Deleted') && l.includes(`inet ${ADDR.vip}/`)
const isVipDel = (l: string): boolean => l.startsWith('Deleted') && l.includes(`inet ${ADDR.vip}/`)

const wanLinkLine = (l: string): boolean => /^\d+: wan0[@:]/.test(l) && !l.startsWith('Deleted')

/**
 * Intervals (ms) during which both nodes routed out the WAN (rule in place and wan0 carrying), from the
 * monitor timeline and the initial states.
 */
function bothRuleWindows(events: Record<Gw, MonitorEvent[]>, initial: Record<Gw, {rule?: boolean; link?: boolean}>, t0: number, tEnd: number): {fromMs: number; durationMs: number; open: boolean}[] {
  const marks = []
  for (const gw of GWS) for (const e of events[gw] ?? []) {
    if (isRuleAdd(e.line)) marks.push({at: e.at, gw, rule: true})
    else if (isRuleDel(e.line)) marks.push({at: e.at, gw, rule: false})
    else if (wanLinkLine(e.line)) marks.push({at: e.at, gw, link: /[<,]LOWER_UP[,>]/.test(e.line) && /[<,]UP[,>]/.test(e.line)})
  }
  marks.sort((a, b) => a.at - b.at)
  const st = Object.fromEntries(GWS.map((gw) => [gw, {...initial[gw]}]))
  const on = (gw: Gw) => st[gw].rule && st[gw].link
  const windows = []
  let since
  for (const m of marks) {
    if (m.rule !== undefined) st[m.gw].rule = m.rule
    if (m.link !== undefined) st[m.gw].link = m.link
    const both = on('gw1') && on('gw2')
    if (both && since === undefined) since = m.at
    if (!both && since !== undefined) { windows.push([since, m.at]); since = undefined }
  }
  if (since !== undefined) windows.push([since, tEnd])
  return windows.map(([a, b]) => ({fromMs: +(a - t0).toFixed(1), durationMs: +(b - a).toFixed(1), open: b === tEnd}))
}

// ---------------------------------------------------------------- client probe

/** Starts the client's UDP+TCP probe; resolves once both flows answer. */
export async function startProbe(intervalMs = 5, target: string = ADDR.remote): Promise<{intervalMs: number; stop(): Promise<ProbeResult>}> {
  const child = spawn('ip', ['netns', 'exec', NS.client, process.execPath, join(TOOLS, 'probe.mjs'), target, String(PORTS.udp), String(PORTS.tcp), String(intervalMs)], {stdio: ['pipe', 'pipe', 'inherit']})
  let out = ''
  child.stdout.on('data', (d) => { out += d.toString() })
  const exited = new Promise((r) => child.on('exit', r))
  try {
    await waitFor('the client probe', () => out.includes('ready\n'), 10000, 10)
  } catch {
    child.stdin.end()
    await Promise.race([exited, sleep(3000)])
    const line = out.split('\n').find((l) => l.startsWith('{'))
    const p = line ? JSON.parse(line) : undefined
    child.kill('SIGKILL')
    throw new Error(`lab: the client gets no answers from ${target} through the VIP in 10 s (UDP ${p?.udpRecv.length}/${p?.udpSent}, TCP ${p?.tcpConnectedAt ? 'connected' : 'not connected'} ${p?.tcpRecv.length}/${p?.tcpSent}${p?.tcpError ? ' ' + p.tcpError : ''}; master ${master() ?? 'none'})`)
  }
  return {
    intervalMs,
    async stop() {
      child.stdin.end()
      await Promise.race([exited, sleep(5000)])
      const line = out.split('\n').find((l) => l.startsWith('{'))
      if (!line) { child.kill('SIGKILL'); throw new Error('lab: probe gave no result') }
      return JSON.parse(line)
    },
  }
}

/** Client-side outage: the longest gap between UDP answers after t0, and whether TCP carried on. */
export function analyzeProbe(p: ProbeResult, t0: number, intervalMs: number) {
  const recv = p.udpRecv
  const before = recv.filter((t) => t < t0)
  const after = recv.filter((t) => t >= t0)
  let prev = before.length ? before[before.length - 1] : t0
  let maxGap = 0
  let gapEnd: number | null = null // the first answer after the longest gap: when the client recovered
  for (const t of after) {
    if (t - prev > maxGap) { maxGap = t - prev; gapEnd = t }
    prev = t
  }
  const recovered = after.length > 0 && (p.stoppedAt - after[after.length - 1]) < 20 * intervalMs + 50
  const tcpAfter = p.tcpRecv.filter((t) => t >= t0)
  const tcpLast = p.tcpRecv[p.tcpRecv.length - 1] ?? 0
  const tcpSurvived = p.tcpError === null && p.tcpClosedAt === null && tcpAfter.length > 0 && (p.stoppedAt - tcpLast) < 1000
  let tcpPrev = p.tcpRecv.filter((t) => t < t0).pop() ?? t0
  let tcpGap = 0
  for (const t of tcpAfter) { tcpGap = Math.max(tcpGap, t - tcpPrev); tcpPrev = t }
  return {
    outageMs: recovered ? +maxGap.toFixed(1) : null,
    recoveredMs: recovered && gapEnd !== null ? +(gapEnd - t0).toFixed(1) : null,
    recovered,
    udpLost: p.udpSent - recv.length,
    tcpSurvived,
    tcpStallMs: tcpSurvived ? +tcpGap.toFixed(1) : null,
    tcpError: p.tcpError,
  }
}

// ---------------------------------------------------------------- failover

/**
 * The shipped keepalived.service drop-in's ExecStopPost= command line, as systemd would run it on `gw` once
 * keepalived's service has ended (a leading `-` only tells systemd to ignore its exit status).
 */
function guardArgv(): string[] {
  const o = readState()?.options ?? DEFAULTS
  const installed = join(o.bin ? '/' : INSTALL_DIR, 'usr/lib/systemd/system/keepalived.service.d/ha-tool-guard.conf')
  const file = existsSync(installed) ? installed : join(ROOT, 'scripts/packaging/keepalived.service.d/ha-tool-guard.conf')
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('ExecStopPost='))
  if (!line) throw new Error(`lab: ${file} has no ExecStopPost= line`)
  const argv = line.slice('ExecStopPost='.length).replace(/^[-@:+!]+/, '').trim().split(/\s+/)
  // the drop-in names /usr/sbin/ha-tool: where the lab installed it
  if (argv[0] === '/usr/sbin/ha-tool') argv[0] = haToolBin()
  return argv
}

/** systemd's part after keepalived's service ended: the drop-in's command, started at once (not awaited). */
function runGuard(gw: Gw): void {
  const o = readState()?.options ?? DEFAULTS
  // the drop-in is ha-tool's: keepalived alone (baseline) has none
  if (!o.keepalivedGuard || o.mode === 'baseline') return
  startProcess(`${gw}-guard`, guardArgv(), {ns: NS[gw], gw, env: gwEnv(gw)})
}

/**
 * How long the lab waits, free of link changes, before it pulls a cable. The kernel reports a carrier change of a
 * device that is not stacked on another (a NIC; here any veth end with the same ifindex as its peer, such as gw1's
 * lan0) only in its next full linkwatch run, at most one a second host-wide (net/core/link_watch.c); a change still
 * queued at the end of that second, such as a new VMAC's while it is down, makes one more full run and a second more.
 * Measured (docs/failover.md): a pull 1.5 s after the other gateway's keepalived restarted was reported 0.53-0.60 s late.
 */
export const LINKWATCH_QUIET_MS = 2100

/** Fails `gw` (default: the current MASTER) by KIND. Returns when the action is done (t0 = its start). */
export async function inflict(kind: FailoverKind, gw: Gw): Promise<void> {
  const ns = NS[gw]
  switch (kind) {
    case 'stop': // clean keepalived stop: a priority-0 advert hands over at once
      await stopProcess(`${gw}-keepalived`, {graceMs: 5000})
      runGuard(gw)
      return
    case 'kill': { // keepalived crashes: no clean-up, VIP and rule stay behind
      const parent = pidOf(`${gw}-keepalived`)
      const child = Number(readFileSync(join(RUN, gw, 'keepalived-vrrp.pid'), 'utf8').trim())
      // freeze the parent so it cannot respawn the VRRP child, which would otherwise get SIGTERM on its death
      if (parent) process.kill(parent, 'SIGSTOP')
      if (child) { try { process.kill(child, 'SIGKILL') } catch {} }
      if (parent) process.kill(parent, 'SIGKILL')
      runGuard(gw)
      await sleep(20)
      rmSync(pidFile(`${gw}-keepalived`), {force: true})
      return
    }
    case 'lan': // the LAN cable is pulled: the switch port goes down, lan0 loses carrier
      run(['ip', '-n', NS.client, 'link', 'set', `lan-${gw}`, 'down'])
      return
    case 'node': { // power loss: every process dies at once, every link loses carrier
      const pids = run(['ip', 'netns', 'pids', ns], {allowFail: true}).stdout.split(/\s+/).filter(Boolean).map(Number).filter((p) => !observers.has(p))
      for (const p of pids) { try { process.kill(p, 'SIGSTOP') } catch {} }
      for (const p of pids) { try { process.kill(p, 'SIGKILL') } catch {} }
      ipBatch(ns, ['link set wan0 down', 'link set lan0 down', 'link set sync0 down'], true)
      for (const f of readdirSync(join(RUN, 'pids')).filter((f) => f.startsWith(`${gw}-`))) rmSync(join(RUN, 'pids', f), {force: true})
      return
    }
    default:
      throw new Error(`lab: unknown failover kind ${kind} (one of ${KINDS.join(', ')})`)
  }
}

/** Brings a failed node back as a healthy BACKUP (nopreempt: it does not take over again). */
export async function restore(kind: FailoverKind, gw: Gw): Promise<{master: Gw; masters: Gw[]}> {
  const o = readState()?.options ?? DEFAULTS
  const ns = NS[gw]
  switch (kind) {
    case 'stop':
      await startKeepalived(gw, o)
      break
    case 'kill':
      // what keepalived left behind: the VMAC with the VIP, and the rule it added (baseline)
      run(['ip', '-n', ns, 'link', 'del', VMAC_IF], {allowFail: true})
      if (o.mode === 'baseline') run(['ip', '-n', ns, 'rule', 'del', 'priority', String(RULE_PRIO)], {allowFail: true})
      await startKeepalived(gw, o)
      break
    case 'lan':
      // networkd dropped the LAN's address and route with the carrier and configures them again (the example's file)
      run(['ip', '-n', NS.client, 'link', 'set', `lan-${gw}`, 'up'])
      await waitFor(`${gw} LAN configured again by networkd`, () => lanReady(gw), 15000, 50)
      break
    case 'node':
      await startGateway(gw, o)
      break
    default:
      throw new Error(`lab: unknown failover kind ${kind}`)
  }
  await waitFor(`${gw} back as BACKUP`, () => { const v = nodeView(gw); return v.keepalived && !v.vip }, 15000, 50)
  if (kind === 'kill') {
    // after the split-brain the LAN switch may still send the VIP's MAC to the restored BACKUP, and the MASTER
    // re-announces only every vrrp_garp_master_refresh: make the client ask again (ARP) so the next run starts clean
    run(['ip', '-n', NS.client, 'neigh', 'flush', 'dev', 'lanbr'], {allowFail: true})
  }
  await waitFor('the client to reach the internet host again', () => clientReaches(), 10000, 100)
  if (o.ipv6) await waitFor('the client to reach the IPv6 host again', () => clientReaches(ADDR6.remote), 10000, 100)
  return settle()
}

/**
 * Waits until the pair is steady: exactly one node with VIP and WAN rule, the other with neither, unchanged
 * for `quietMs`. Returns who is MASTER and whether a restored node took over on its way back.
 */
export async function settle(quietMs = 600, timeoutMs = 15000): Promise<{master: Gw; masters: Gw[]}> {
  const until = Date.now() + timeoutMs
  let steadySince: number | undefined
  let last: Gw | undefined
  const seen = new Set<Gw>()
  for (;;) {
    const v = GWS.map(nodeView)
    const m = v.filter((x) => x.vip && x.wanRule)
    const clean = m.length === 1 && v.filter((x) => x.vip || x.wanRule).length === 1
    const who = clean ? m[0].gw : undefined
    if (who) seen.add(who)
    if (clean && who === last) {
      if (who && Date.now() - (steadySince ?? 0) >= quietMs) return {master: who, masters: [...seen]}
    } else {
      steadySince = Date.now()
      last = who
    }
    if (Date.now() > until) throw new Error(`lab: the pair did not settle in ${timeoutMs} ms (${v.map((x) => `${x.gw}: VIP ${x.vip} rule ${x.wanRule}`).join('; ')})`)
    await sleep(25)
  }
}

/** One ping from the client to the ISP-side host (inside the lab; ADDR6.remote for IPv6) answered within 300 ms. */
export function clientReaches(target: string = ADDR.remote): boolean {
  return run(['ping', '-c', '1', '-W', '0.3', '-n', '-q', target], {ns: NS.client, allowFail: true}).code === 0
}

/**
 * One measured failover of the current MASTER: probe on the client, `ip monitor` on both nodes, the
 * action, then `settleMs` of watching. Returns client outage, TCP survival, time to VIP and WAN rule on
 * the new MASTER, split-brain windows and (lease=true) whether the client's DHCP lease carried over.
 */
export async function failover(kind: FailoverKind, {settleMs = 2500, probeIntervalMs = 5, lease = true, restoreAfter = false, afterTakeover}: FailoverOptions = {}): Promise<FailoverResult> {
  const ipv6 = Boolean(readState()?.options.ipv6)
  // A pulled cable is noticed from the carrier report of the node's own lan0, which the kernel may hold back (linkwatch,
  // LINKWATCH_QUIET_MS). The lab's nodes share one kernel, so a link change on the other gateway (a restore: keepalived
  // creating its VMACs) would delay this node's report, as it never could between two machines: let it run out first.
  if (kind === 'lan') await sleep(LINKWATCH_QUIET_MS)
  const {master: old} = await settle(300)
  const neu = old === 'gw1' ? 'gw2' : 'gw1'
  const initial = Object.fromEntries(GWS.map((gw) => { const v = nodeView(gw); return [gw, {rule: v.wanRule, link: v.wanUp}] })) as Record<Gw, {rule?: boolean; link?: boolean}>
  const addrBefore = clientAddress()
  const mon = startMonitors()
  let probe
  let preflightRetry = false
  try {
    probe = await startProbe(probeIntervalMs)
  } catch {
    // the LAN switch may still send the VIP's MAC to the BACKUP after the previous run (a late frame from
    // the VMAC of the node that lost): make the client ARP again and retry once; the result records it
    preflightRetry = true
    run(['ip', '-n', NS.client, 'neigh', 'flush', 'dev', 'lanbr'], {allowFail: true})
    await waitFor('the client to reach the internet host', () => clientReaches(), 10000, 100)
    probe = await startProbe(probeIntervalMs)
  }
  const probe6 = ipv6 ? await startProbe(probeIntervalMs, ADDR6.remote) : undefined
  const routerBefore = ipv6 ? clientRouter6() ?? null : null
  await sleep(200)
  const t0 = nowMs()
  await inflict(kind, old)
  const tAction = nowMs() - t0
  let tookOver = true
  try { await waitFor(`${neu} to take over`, () => nodeView(neu).master, 10000, 5) } catch { tookOver = false }
  if (tookOver && afterTakeover) await afterTakeover(neu)
  await sleep(settleMs)
  const p6 = await probe6?.stop()
  const p = await probe.stop()
  const tEnd = nowMs()
  const events = await mon.stop()
  const sb = splitBrain()
  const firstAfter = (gw: Gw, pred: (l: string) => boolean) => events[gw].find((e) => e.at >= t0 && pred(e.line))
  const vipAt = firstAfter(neu, isVipAdd)
  const ruleAt = firstAfter(neu, isRuleAdd)
  const oldVipDel = firstAfter(old, isVipDel)
  const oldRuleDel = firstAfter(old, isRuleDel)
  const client = analyzeProbe(p, t0, probeIntervalMs)
  const result: FailoverResult = {
    kind, from: old, to: neu, tookOver, preflightRetry,
    actionMs: +tAction.toFixed(1),
    vipMs: vipAt ? +(vipAt.at - t0).toFixed(1) : null,
    ruleMs: ruleAt ? +(ruleAt.at - t0).toFixed(1) : (initial[neu].rule ? 0 : null),
    ruleAfterVipMs: vipAt && ruleAt ? +(ruleAt.at - vipAt.at).toFixed(2) : null,
    oldVipReleasedMs: oldVipDel ? +(oldVipDel.at - t0).toFixed(1) : null,
    oldRuleRemovedMs: oldRuleDel ? +(oldRuleDel.at - t0).toFixed(1) : null,
    ...client,
    splitBrain: {
      now: !sb.ok, wanActive: sb.wanActive, vipHolders: sb.vipHolders,
      windows: bothRuleWindows(events, initial, t0, tEnd),
    },
  }
  if (p6) {
    const routerAfter = clientRouter6() ?? null
    const reach = run(['ping', '-6', '-c', '1', '-W', '0.3', '-n', '-q', `${ADDR6.router}%lanbr`], {ns: NS.client, allowFail: true}).code === 0
    result.v6 = {...analyzeProbe(p6, t0, probeIntervalMs), routerBefore, routerAfter, routerReachable: reach}
  }
  if (lease) result.lease = await checkLease(addrBefore, neu)
  if (restoreAfter) {
    const st = await restore(kind, old)
    // nopreempt: the restored node must come back as BACKUP; if it took over, the next run starts elsewhere
    result.restoredTookOver = st.masters.includes(old)
  }
  return result
}

/**
 * Lease continuity: the client reboots its DHCP client (INIT-REBOOT: REQUEST of the address it holds)
 * after the failover; the lease carried over when it was ACKed for the same address.
 */
export async function checkLease(addrBefore: string | undefined, newMaster: Gw): Promise<LeaseCheck> {
  const o = readState()?.options ?? DEFAULTS
  if (o.client !== 'dhcp') return {checked: false}
  const since = Date.now()
  await startDhclient()
  let ev
  try {
    ev = await waitFor('the client DHCP reboot', () => clientDhcpEvents().find((e) => e.at >= since && ['REBOOT', 'BOUND', 'RENEW', 'REBIND'].includes(e.reason)), 15000, 20)
  } catch { return {checked: true, kept: false, reason: 'no answer', before: addrBefore} }
  return {
    checked: true,
    kept: ev.address === addrBefore,
    reason: ev.reason, // REBOOT = ACK of the held address; BOUND = NAK or silence, then a new DISCOVER
    address: ev.address, before: addrBefore,
    server: ev.server, serverIsNewMaster: ev.server === ADDR.lan[newMaster] || ev.server === ADDR.vip,
    ms: Math.round(ev.at - since),
  }
}

// ---------------------------------------------------------------- command line

type CliOptions = Partial<LabOptions> & {node?: string; noRestore?: boolean; json?: boolean}

function parseOpts(args: string[]): CliOptions {
  const o: CliOptions = {}
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const val = () => { const v = args[++i]; if (v === undefined) throw new Error(`lab: ${a} needs a value`); return v }
    if (a === '--mode') o.mode = val() as Mode
    else if (a === '--advert-int') o.advertInt = Number(val())
    else if (a === '--no-conntrackd') o.conntrackd = false
    else if (a === '--conntrackd') o.conntrackd = true
    else if (a === '--link') o.link = val() as LabOptions['link']
    else if (a === '--no-lan-guard') o.lanGuard = false
    else if (a === '--seed-fallback') o.fallbackIifLo = false
    else if (a === '--tcp-loose') o.tcpLoose = Number(val())
    else if (a === '--static-client') o.client = 'static'
    else if (a === '--no-wan-input-drop') o.wanInputDrop = false
    else if (a === '--health') o.healthTargets = [...(o.healthTargets ?? []), val()]
    else if (a === '--metrics') o.metrics = true
    else if (a === '--bin') o.bin = val()
    else if (a === '--guard') o.keepalivedGuard = true
    else if (a === '--peer') o.peer = true
    else if (a === '--preempt') o.preempt = true
    else if (a === '--ipv6') o.ipv6 = true
    else if (a === '--dhcp-on-master') o.dhcpOnMaster = true
    else if (a === '--node') o.node = val()
    else if (a === '--no-restore') o.noRestore = true
    else if (a === '--json') o.json = true
    else throw new Error(`lab: unknown option ${a}`)
  }
  return o
}

const USAGE = `usage: scripts/lab up [--mode baseline|notify|fifo] [--advert-int S] [--no-conntrackd] [--link keep-up|down-on-backup]
                     [--no-lan-guard] [--seed-fallback] [--tcp-loose 0|1] [--static-client] [--no-wan-input-drop]
                     [--health TARGET]... [--metrics] [--peer] [--preempt] [--dhcp-on-master] [--ipv6] [--bin INSTALLED-HA-TOOL] [--guard]
       scripts/lab down
       scripts/lab status [--json]
       scripts/lab failover stop|kill|lan|node [--node gw1|gw2] [--no-restore] [--json]
       scripts/lab exec gw1|gw2|isp|client CMD...`

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv
  if (process.getuid?.() !== 0) throw new Error('lab: needs root (network namespaces)')
  switch (cmd) {
    case 'up': {
      const o = parseOpts(rest)
      await acquireLabLock('cli', 10_000)
      try { const s = await up(o); console.log(`lab up in ${s.upMs} ms (mode ${s.options.mode}, advert_int ${s.options.advertInt}); MASTER gw1, client ${clientAddress() ?? '?'}`) } catch (e) { await down({quiet: true}); releaseLabLock(); throw e }
      return 0
    }
    case 'down':
      await down()
      releaseLabLock()
      return 0
    case 'status': {
      const o = parseOpts(rest)
      const s = status()
      if (o.json) { console.log(JSON.stringify(s, null, 2)); return s.up ? 0 : 1 }
      if (!s.up) { console.log(`lab down${s.namespaces.length ? ` (namespaces left: ${s.namespaces.join(' ')})` : ''}`); return 1 }
      console.log(`lab up: mode ${s.options?.mode}, advert_int ${s.options?.advertInt}, conntrackd ${s.options?.conntrackd ? 'on' : 'off'}, client ${s.client ?? 'no address'}`)
      for (const v of s.nodes) console.log(`  ${v.gw}: ${v.vip ? 'VIP' : '   '} ${v.wanRule ? 'WAN-rule' : '        '} wan0 ${v.wanUp ? 'up' : 'down'}${v.wanAddr ? ' ' + ADDR.wanLease : ''} keepalived ${v.keepalived ? 'running' : 'stopped'}`)
      console.log(`  split-brain: ${s.splitBrain?.ok ? 'no' : 'YES (' + s.splitBrain?.wanActive.join('+') + ')'}`)
      for (const [n, p] of Object.entries(s.processes)) if (!p.running) console.log(`  not running: ${n} (pid ${p.pid})`)
      return 0
    }
    case 'failover': {
      const [arg, ...more] = rest
      const kind = arg as FailoverKind
      const o = parseOpts(more)
      if (!KINDS.includes(kind)) throw new Error(`lab: failover KIND is one of ${KINDS.join(', ')}`)
      if (!readState()) throw new Error('lab: not up (scripts/lab up)')
      if (o.node && o.node !== master()) throw new Error(`lab: ${o.node} is not the MASTER (${master() ?? 'none'}); failover acts on the MASTER`)
      const r = await failover(kind, {restoreAfter: !o.noRestore})
      if (o.json) console.log(JSON.stringify(r, null, 2))
      else printFailover(r)
      return 0
    }
    case 'exec': {
      const [where, ...cmdArgv] = rest
      const ns = Object.hasOwn(NS, where) ? NS[where as Place] : undefined
      if (!ns || cmdArgv.length === 0) throw new Error(USAGE)
      const gw = GWS.find((g) => g === where)
      const r = gw
        ? spawnSync('ip', ['netns', 'exec', ns, ...mountWrap(gw, cmdArgv, false)], {stdio: 'inherit', env: {...process.env, ...gwEnv(gw)}})
        : spawnSync('ip', ['netns', 'exec', ns, ...cmdArgv], {stdio: 'inherit'})
      return r.status ?? 1
    }
    default:
      console.error(USAGE)
      return 2
  }
}

export function printFailover(r: FailoverResult): void {
  const f = (v: number | null | undefined, unit = ' ms') => (v === null || v === undefined ? 'n/a' : `${v}${unit}`)
  console.log(`failover ${r.kind}: ${r.from} -> ${r.to}${r.tookOver ? '' : ' (NO TAKE-OVER)'}`)
  console.log(`  client outage      ${r.recovered ? f(r.outageMs) : 'never recovered'} (UDP every 5 ms, ${r.udpLost} lost)`)
  console.log(`  TCP stream         ${r.tcpSurvived ? `survived (stalled ${f(r.tcpStallMs)})` : `lost${r.tcpError ? ' (' + r.tcpError + ')' : ''}`}`)
  console.log(`  VIP on ${r.to}        ${f(r.vipMs)} after the failure; WAN rule ${f(r.ruleMs)} (${f(r.ruleAfterVipMs)} after the VIP)`)
  console.log(`  old MASTER ${r.from}    ${r.oldRuleRemovedMs !== null ? `removed its WAN rule at ${f(r.oldRuleRemovedMs)}` : 'kept its WAN rule (or its namespace lost it with the node)'}`)
  if (r.v6) console.log(`  IPv6 client outage ${r.v6.recovered ? f(r.v6.outageMs) : 'never recovered'}, TCP ${r.v6.tcpSurvived ? `survived (stalled ${f(r.v6.tcpStallMs)})` : `lost${r.v6.tcpError ? ' (' + r.v6.tcpError + ')' : ''}`}; default router ${r.v6.routerBefore} -> ${r.v6.routerAfter}${r.v6.routerReachable ? ' (answers)' : ' (NO answer)'}`)
  if (r.lease) console.log(`  DHCP lease         ${r.lease.checked ? (r.lease.kept ? `kept ${r.lease.address} (${r.lease.reason} from ${r.lease.server})` : `NOT kept (${r.lease.reason ?? ''} ${r.lease.address ?? ''}, had ${r.lease.before})`) : 'not checked (static client)'}`)
  const sb = r.splitBrain
  console.log(`  split-brain        ${sb.now ? `YES now: ${sb.wanActive.join('+')} route out the WAN` : 'no'}${sb.windows.length ? `; both had the WAN rule: ${sb.windows.map((w) => `${w.durationMs} ms${w.open ? ' (still)' : ''}`).join(', ')}` : ''}${sb.vipHolders.length > 1 ? '; both hold the VIP' : ''}`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (e) => { console.error(e.message); process.exitCode = 1 })
}
