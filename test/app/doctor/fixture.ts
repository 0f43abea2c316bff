// A node's filesystem in a temp directory, written from `config example` output: the good setup
// doctor must pass. Each test then breaks one thing and checks that doctor names it and its fix.
import {chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {createDoctorProbes} from '../../../src/adapters/doctor-probes.js'
import type {Exec, ExecResult} from '../../../src/adapters/exec.js'
import {type Peer, peerHaArgv, peerSshArgv, peerTarget} from '../../../src/adapters/peer.js'
import {createRootedFs} from '../../../src/adapters/rooted-fs.js'
import {unavailableError} from '../../../src/core/errors.js'
import {buildExample} from '../../../src/app/config-example.js'
import {runDoctor, type DoctorReport} from '../../../src/app/doctor/run.js'
import type {CheckResult} from '../../../src/app/doctor/types.js'
import {stateFromFs} from '../../../src/app/status.js'
import type {Config} from '../../../src/config/schema.js'
import {defaultConfig} from '../../../src/config/validate.js'

export type Node = {root: string; config: Config; write(path: string, text: string, mode?: number): void; cleanup(): void}

/** The config of a down-on-backup, netlink, conntrackd-enabled node: every check has something to look at. */
export function nodeConfig(): Config {
  const c = defaultConfig('ens7')
  return {
    ...c,
    wan: {...c.wan, link: 'down-on-backup', link_via: 'netlink'},
    lan: {...c.lan, address: '192.168.1.1/24'},
    sync: {...c.sync, address: '192.168.190.1/29'},
    keepalived: {...c.keepalived, fifo: '/run/ha-tool/notify.fifo'},
    conntrackd: {...c.conntrackd, enabled: true},
    dnsmasq: {...c.dnsmasq, peer: 'root@198.51.100.2'},
    peer: {...c.peer, destination: 'root@198.51.100.2'},
  }
}

export function goodNode(config: Config = nodeConfig()): Node {
  const root = mkdtempSync(join(tmpdir(), 'hat-h8-root-'))
  const write = (path: string, text: string, mode = 0o644) => {
    mkdirSync(dirname(join(root, path)), {recursive: true})
    writeFileSync(join(root, path), text)
    chmodSync(join(root, path), mode)
  }
  const ex = (kind: Parameters<typeof buildExample>[0]) => buildExample(kind, config, '/etc/ha-tool/config.toml')
  // The installed program, as scripts/install lays it out.
  // With the absolute interpreter path keepalived's script security can check (issue 15).
  write('/usr/bin/node', '', 0o755)
  write('/usr/lib/ha-tool/bin/run.js', '#!/usr/bin/node\n', 0o755)
  mkdirSync(join(root, 'usr/sbin'), {recursive: true})
  symlinkSync('../lib/ha-tool/bin/run.js', join(root, 'usr/sbin/ha-tool'))
  write(config.keepalived.config, ex('keepalived'))
  for (const [path, text] of splitFiles(ex('networkd'))) write(path, text)
  write(config.doctor.nftables_conf, ex('nftables'))
  write(config.doctor.dnsmasq_conf, ex('dnsmasq'))
  // Its dhcp-script: the shipped wrapper (scripts/install) or the one generated for this config.
  write(/^dhcp-script=(.*)$/m.exec(ex('dnsmasq'))![1], ex('dnsmasq-script'), 0o755)
  write(config.conntrackd.config, ex('conntrackd'))
  write('/usr/lib/tmpfiles.d/ha-tool.conf', `d ${config.state.dir} 0755 root root -\n`)
  mkdirSync(join(root, config.state.dir), {recursive: true})
  write('/proc/sys/net/ipv4/ip_forward', '1\n')
  write('/proc/sys/net/ipv4/conf/all/rp_filter', '2\n')
  return {root, config, write, cleanup: () => rmSync(root, {recursive: true, force: true})}
}

/** `# file: PATH` sections of the networkd example. */
export function splitFiles(text: string): Array<[string, string]> {
  return text.split(/^# file: /m).slice(1).map((chunk) => {
    const nl = chunk.indexOf('\n')
    return [chunk.slice(0, nl).trim(), chunk.slice(nl + 1)]
  })
}

export type ExecScript = (argv: readonly string[]) => Partial<ExecResult> | undefined

/** An exec that answers from a script; anything unscripted is "not installed" (as the real one says). */
export function fakeExec(script: ExecScript = () => undefined): Exec & {calls: string[][]} {
  const calls: string[][] = []
  const exec = (async (argv: readonly string[]) => {
    calls.push([...argv])
    const r = script(argv)
    if (!r) {
      const {HaError} = await import('../../../src/core/errors.js')
      throw new HaError(`${argv[0]}: not installed or not on PATH`, 69)
    }
    return {argv, code: 0, signal: null, stdout: '', stderr: '', timedOut: false, durationMs: 1, ...r}
  }) as Exec & {calls: string[][]}
  exec.calls = calls
  return exec
}

/** keepalived -t that accepts everything. */
export const keepalivedOk: ExecScript = (argv) => (argv[0] === 'keepalived' ? {code: 0} : undefined)

/** `dnsmasq --version` of the given release (its first line as dnsmasq prints it). */
export const dnsmasqVersion = (v: string): ExecScript => (argv) => (argv[0] === 'dnsmasq' && argv[1] === '--version'
  ? {stdout: `Dnsmasq version ${v}  Copyright (c) 2000-2024 Simon Kelley\nCompile time options: IPv6 GNU-getopt DBus DHCP DHCPv6\n`} : undefined)

/** The tools a good node has: keepalived accepting its config, dnsmasq 2.90. */
export const toolsOk: ExecScript = (argv) => keepalivedOk(argv) ?? dnsmasqVersion('2.90')(argv)

export async function doctor(node: Node, opts: {exec?: Exec; live?: boolean; config?: Config; skip?: string[]; configPath?: string} = {}): Promise<DoctorReport> {
  const fs = createRootedFs(node.root)
  const config = opts.config ?? node.config
  const exec = opts.exec ?? fakeExec(toolsOk)
  return runDoctor({config, fs, exec, probes: createDoctorProbes(exec), peer: execPeer(exec, config), live: opts.live ?? false, state: stateFromFs(fs, config.state.dir), ...(opts.configPath ? {configPath: opts.configPath} : {})}, opts.skip)
}

export function check(report: DoctorReport, id: string): CheckResult {
  const c = report.checks.find((x) => x.id === id)
  if (!c) throw new Error(`no check ${id}`)
  return c
}

/** The peer port over a fake exec: the ssh argv the real port builds, exit 255 as the real port reports it. */
export function execPeer(exec: Exec, config: Config): Pick<Peer, 'ha' | 'destination' | 'fetch'> {
  const t = peerTarget(config)
  return {
    destination: t.destination,
    async ha(args) {
      const r = await exec(peerSshArgv(t, peerHaArgv(t, args)), {timeoutMs: t.timeoutMs})
      if (r.code === 255 || r.code === null) throw unavailableError(`peer ${t.destination} unreachable: ssh failed: ${r.stderr.trim().split('\n').pop()}`)
      return {code: r.code, stdout: Buffer.from(r.stdout), stderr: r.stderr}
    },
    async fetch(path) {
      const r = await exec(peerSshArgv(t, ['cat', '--', path]), {timeoutMs: t.timeoutMs})
      if (r.code !== 0) throw unavailableError(`peer ${t.destination}:${path}: cannot read`)
      return Buffer.from(r.stdout)
    },
  }
}
