// Types of scripts/lab.mjs (plain JS so `scripts/lab` and the benchmark run without a TypeScript loader).
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
  tcpLoose: 0 | 1
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
}

export type RunResult = {code: number | null; stdout: string; stderr: string}
export type RunOptions = {ns?: string; input?: string; allowFail?: boolean; timeoutMs?: number; env?: Record<string, string>}

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
}

export type FailoverOptions = {settleMs?: number; probeIntervalMs?: number; lease?: boolean; restoreAfter?: boolean}

export const ROOT: string
export const RUN: string
export const NS: {isp: string; gw1: string; gw2: string; client: string}
export const GWS: Gw[]
export const ADDR: {ispRouter: string; wanLease: string; remote: string; vip: string; lan: Record<Gw, string>; sync: Record<Gw, string>}
export const WAN_MAC: string
/** The WAN .network's name in a gateway's /etc/systemd/network (the networkd example's). */
export const WAN_NETWORK_FILE: string
export const VRID: number
export const VMAC_IF: string
export const PORTS: {udp: number; tcp: number}
export const TABLE_WAN: number
export const TABLE_LAN: number
export const RULE_PRIO: number
export const FALLBACK_PRIO: number
export const DEFAULTS: LabOptions
export const MODES: Mode[]
export const KINDS: FailoverKind[]

export function run(argv: string[], opts?: RunOptions): RunResult
export function gwExec(gw: Gw, argv: string[], opts?: RunOptions): RunResult
export function sleep(ms: number): Promise<void>
export function pidOf(name: string): number | undefined
export function isRunning(name: string): boolean
export function startProcess(name: string, argv: string[], opts?: {ns?: string; gw?: Gw; env?: Record<string, string>; networkd?: boolean}): number
export function stopProcess(name: string, opts?: {signal?: NodeJS.Signals; graceMs?: number}): Promise<boolean>
export function haConfigPath(gw: Gw): string
/** The environment a gateway's processes get: its private system bus and HA_TOOL_CONFIG. */
export function gwEnv(gw: Gw): Record<string, string>
export function haToolHas(cmd: string): boolean
/** Where `up` lays down this checkout with `scripts/install --destdir`. */
export const INSTALL_DIR: string
/** The ha-tool executable the gateways run (keepalived.conf's scripts, the daemon, `config example`). */
export function haToolBin(): string
export function acquireLabLock(owner?: string, timeoutMs?: number): Promise<void>
export function releaseLabLock(): void
export function readState(): {options: LabOptions; bin: string; startedAt: string; upMs: number} | undefined
export function namespacesPresent(): string[]
export function labPids(): number[]
export function up(options?: Partial<LabOptions>): Promise<{options: LabOptions; bin: string; startedAt: string; upMs: number}>
export function down(opts?: {quiet?: boolean}): Promise<void>
/** Writes one node's ha-tool.toml and the daemons' configs generated from it by `ha-tool config example`. */
export function writeNodeConfigs(gw: Gw, o: LabOptions): void
export function startGateway(gw: Gw, o: LabOptions, opts?: {keepalived?: boolean}): Promise<void>
export function startKeepalived(gw: Gw, o: LabOptions): Promise<void>
export function wanReady(gw: Gw): boolean
export function clientAddress(): string | undefined
export function clientReaches(): boolean
export function clientDhcpEvents(): {at: number; reason: string; address?: string; server?: string}[]
export function nodeView(gw: Gw): NodeView
export function splitBrain(): SplitBrain
export function master(): Gw | undefined
export function status(): unknown
export function startMonitors(): {stop(): Promise<Record<Gw, {at: number; line: string}[]>>}
export function startProbe(intervalMs?: number): Promise<{intervalMs: number; stop(): Promise<unknown>}>
export function inflict(kind: FailoverKind, gw: Gw): Promise<void>
export function restore(kind: FailoverKind, gw: Gw): Promise<{master: Gw; masters: Gw[]}>
export function settle(quietMs?: number, timeoutMs?: number): Promise<{master: Gw; masters: Gw[]}>
export function failover(kind: FailoverKind, opts?: FailoverOptions): Promise<FailoverResult>
export function checkLease(addrBefore: string | undefined, newMaster: Gw): Promise<LeaseCheck>
export function printFailover(r: FailoverResult): void
