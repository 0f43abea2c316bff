// The e2e test bed: two gateways in network namespaces with the real keepalived, conntrackd, dnsmasq and
// systemd-networkd, an ISP handing out one address, a LAN client (README "The lab"). Tests use it as
//
//   const skip = labSkipReason(); if (skip) { t.skip(skip); return }
//   await withLab({mode: 'baseline', conntrackd: true}, async (lab) => {
//     const r = await lab.failover('lan')          // client outage, TCP survival, split-brain, lease
//     lab.exec('gw2', ['conntrack', '-L'])          // any command inside a node
//   })                                             // torn down in a finally, nothing left behind
//
// Every daemon's config is what `ha-tool config example` prints from the node's ha-tool.toml, and ha-tool is
// the tree `scripts/install --destdir` lays down (or options.bin / HAT_LAB_BIN: e.g. the .deb's /usr/sbin/ha-tool).
// The machinery is scripts/lab.ts (on the topology builder, test/support/topology.ts; shared with `scripts/lab` and the failover benchmark).
// One lab per machine: withLab waits for the lab lock, so e2e files never tear down each other's lab.
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {checkJsonOutput} from '../support/json-contract.js'
import * as core from '../../scripts/lab.js'
import type {FailoverKind, FailoverOptions, FailoverResult, Gw, LabOptions, NodeView, RunOptions, RunResult, SplitBrain} from '../../scripts/lab.js'

export type {FailoverKind, FailoverOptions, FailoverResult, Gw, LabOptions, NodeView, RunResult, SplitBrain}
export type Where = Gw | 'isp' | 'client'
export const {ADDR, NS, RUN, ROOT, KINDS, MODES, GWS, TABLE_WAN, TABLE_LAN, RULE_PRIO, FALLBACK_PRIO, VMAC_IF, WAN_MAC, WAN_NETWORK_FILE, PORTS} = core

const NEEDED = ['ip', 'unshare', 'nft', 'keepalived', 'conntrackd', 'conntrack', 'dnsmasq', 'dbus-daemon', 'busctl', 'dhclient', 'sysctl']

/** Why the lab cannot run here (undefined = it can): tests skip LOUDLY with this. */
export function labSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces, mounts)'
  const path = (process.env.PATH ?? '') + ':/usr/sbin:/sbin'
  const missing = NEEDED.filter((b) => !path.split(':').some((d) => d && existsSync(join(d, b))))
  if (!existsSync('/lib/systemd/systemd-networkd')) missing.push('/lib/systemd/systemd-networkd')
  if (missing.length > 0) return `the lab needs ${missing.join(', ')} (scripts/install-system-deps)`
  return undefined
}

/** Files of one gateway, as ha-tool and the daemons see them. */
export type GwPaths = {
  /** ha-tool's config.toml for this node */
  config: string
  stateDir: string
  keepalivedConf: string
  /** keepalived's notify FIFO (fifo mode) */
  fifo: string
  conntrackdConf: string
  conntrackdSocket: string
  dnsmasqLeases: string
  dnsmasqPidFile: string
  haToolLog: string
  /** directory of this node's logs (RUN/logs/<gw>-*.log) */
  logs: string
}

export class Lab {
  constructor(readonly options: LabOptions) {}

  paths(gw: Gw): GwPaths {
    const d = join(RUN, gw)
    return {
      config: core.haConfigPath(gw), stateDir: join(d, 'state'), keepalivedConf: join(d, 'keepalived.conf'), fifo: join(d, 'keepalived.fifo'),
      conntrackdConf: join(d, 'conntrackd.conf'), conntrackdSocket: join(d, 'conntrackd.ctl'),
      dnsmasqLeases: join(d, 'dnsmasq.leases'), dnsmasqPidFile: join(d, 'dnsmasq.pid'),
      haToolLog: join(RUN, 'logs', `${gw}-ha-tool.log`), logs: join(RUN, 'logs'),
    }
  }

  /** Runs a command inside a node (gateways with their private /run/systemd and system bus); never throws unless allowFail is false. */
  exec(where: Where, argv: string[], opts: Omit<RunOptions, 'ns'> = {}): RunResult {
    if (where === 'gw1' || where === 'gw2') return core.gwExec(where, argv, {allowFail: true, ...opts})
    return core.run(argv, {ns: NS[where], allowFail: true, ...opts})
  }

  /** `ha-tool ARGS --config <node's config>` inside a gateway, as an operator on that node would run it. */
  haTool(gw: Gw, args: string[], opts: Omit<RunOptions, 'ns'> = {}): RunResult {
    const r = this.exec(gw, [core.haToolBin(), ...args, '--config', core.haConfigPath(gw)], opts)
    checkJsonOutput([core.haToolBin(), ...args], r.stdout)
    return r
  }

  /** The installed ha-tool the gateways run (scripts/install --destdir of this checkout, or options.bin). */
  bin(): string { return core.haToolBin() }
  view(gw: Gw): NodeView { return core.nodeView(gw) }
  /** The node holding the VIP, or undefined when none or both do. */
  master(): Gw | undefined { return core.master() }
  other(gw: Gw): Gw { return gw === 'gw1' ? 'gw2' : 'gw1' }
  splitBrain(): SplitBrain { return core.splitBrain() }
  clientAddress(): string | undefined { return core.clientAddress() }
  clientDhcpEvents() { return core.clientDhcpEvents() }

  /** Fails the current MASTER by KIND and measures what the client saw (see FailoverResult). */
  failover(kind: FailoverKind, opts?: FailoverOptions): Promise<FailoverResult> { return core.failover(kind, opts) }
  /** Only the failure, no measuring; `restore` brings the node back as BACKUP. */
  inflict(kind: FailoverKind, gw: Gw): Promise<void> { return core.inflict(kind, gw) }
  restore(kind: FailoverKind, gw: Gw): Promise<{master: Gw; masters: Gw[]}> { return core.restore(kind, gw) }
  /** Waits until exactly one node holds VIP and WAN rule, steadily. */
  settle(quietMs?: number): Promise<{master: Gw; masters: Gw[]}> { return core.settle(quietMs) }

  /** The client's UDP+TCP probe to the ISP-side host; `stop()` returns raw receive times. */
  probe(intervalMs = 5) { return core.startProbe(intervalMs) }

  /** A lab process by name (`gw1-dnsmasq`, `gw2-keepalived`, `gw1-conntrackd`, `gw1-hatd`, ...). */
  pid(name: string): number | undefined { return core.pidOf(name) }
  running(name: string): boolean { return core.isRunning(name) }
  stop(name: string, signal?: NodeJS.Signals): Promise<boolean> { return core.stopProcess(name, {signal}) }
  /** Starts a tracked process inside a gateway (private mount view), ended by PID at teardown. */
  start(name: string, gw: Gw, argv: string[], env: Record<string, string> = {}): number {
    return core.startProcess(name, argv, {ns: NS[gw], gw, env})
  }
  startKeepalived(gw: Gw): Promise<void> { return core.startKeepalived(gw, this.options) }

  async waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 10000, stepMs = 20): Promise<T> {
    const until = Date.now() + timeoutMs
    for (;;) {
      const v = await fn()
      if (v) return v
      if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
      await core.sleep(stepMs)
    }
  }
}

/**
 * Brings the lab up with `options`, runs `fn`, and tears everything down in a finally (no namespace,
 * no process left). Waits (up to `lockTimeoutMs`) while another test or helper holds the lab.
 */
export async function withLab<T>(options: Partial<LabOptions>, fn: (lab: Lab) => Promise<T>, lockTimeoutMs = 10 * 60 * 1000): Promise<T> {
  await core.acquireLabLock(String(process.pid), lockTimeoutMs)
  try {
    const state = await core.up(options)
    try {
      return await fn(new Lab(state.options))
    } catch (error) {
      printLogTails()
      throw error
    }
  } finally {
    try { await core.down({quiet: true}) } finally { core.releaseLabLock() }
  }
}

/**
 * A failed lab test prints what the gateways' ha-tool, dnsmasq and keepalived said last: in CI the lab's logs are gone
 * by the time anyone looks (the next test's lab replaces /run/hat-lab.last-logs).
 */
function printLogTails(lines = 15): void {
  for (const gw of core.GWS) {
    for (const name of ['ha-tool', 'dnsmasq-dhcp', 'keepalived']) {
      let text = ''
      try { text = readFileSync(join(RUN, 'logs', `${gw}-${name}.log`), 'utf8') } catch { continue }
      const tail = text.trimEnd().split('\n').slice(-lines).map((l) => `  ${gw} ${name}: ${l.slice(0, 400)}`)
      if (tail.length > 0) process.stderr.write(`lab logs, last ${lines} lines of ${gw}-${name}.log:\n${tail.join('\n')}\n`)
    }
  }
}

/** What the lab leaves behind when it is down: lab namespaces and processes still there (both empty = clean). */
export function leftovers(): {namespaces: string[]; pids: number[]} {
  return {namespaces: core.namespacesPresent(), pids: core.labPids()}
}

export const sleep = core.sleep
