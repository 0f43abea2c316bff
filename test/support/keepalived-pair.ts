// Two nodes in namespaces (<prefix>1, <prefix>2) joined by a LAN veth, each with its own WAN veth
// (198.51.100.10/24, default route in table 250), running the real keepalived (VRRPv3, advert_int
// 0.1) that calls ha-tool: `notify` scripts, or `ha-tool daemon` as its notify FIFO script.
// Each node's keepalived.conf is what `ha-tool config example keepalived` prints from its ha-tool
// config (use_vmac, nopreempt, the track_file ha-tool writes), plus only the test's taps:
// keepalived's global notify_fifo, read by `cat` into a log, is the ordered record of what it
// reported; `fifo` mode adds the daemon as vrrp_notify_fifo_script (the example runs it as a
// service); without `dbus` the example's enable_dbus goes. setTrack writes the example's track_file
// (no daemon here writes it: no health targets, conntrackd off) to force FAULT.
import {execFileSync, spawn, type ChildProcess} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {BIN, cleanEnv} from './spawn.js'
import {buildTopology, type End, type NodeSpec, type Topology} from './topology.js'

type PairNodeName = '1' | '2' | 'u1' | 'u2'

/** notify: notify scripts; fifo: the daemon as keepalived's FIFO script; service: the daemon as its own process. */
export type PairMode = 'notify' | 'fifo' | 'service'
export type PairNode = {
  ns: string
  dir: string
  config: string
  /** Roles keepalived reported, in order (from its notify_fifo). */
  reported(): string[]
  /** Role in ha-tool's state file. */
  applied(): string | undefined
  wanRules(): number
  wanUp(): boolean
  setTrack(value: number): void
  startKeepalived(): Promise<void>
  stopKeepalived(signal?: NodeJS.Signals): Promise<void>
  /** Mode service: starts `ha-tool daemon` on its own (not keepalived's child). */
  startDaemon(): Promise<void>
  stopDaemon(): Promise<void>
  /** The node's private system bus (with `dbus: true`), for keepalived's enable_dbus. */
  busAddress?: string
  /** With `upstream: true`: the namespace at the far end of this node's WAN (isp0, PAIR_UPSTREAM and PAIR_TARGET). */
  upstream?: string
}

export function keepalivedPairSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root'
  if (!existsSync('/usr/sbin/keepalived')) return 'keepalived is not installed (scripts/install-system-deps)'
  return undefined
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const sh = (argv: string[]) => execFileSync(argv[0], argv.slice(1), {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})

async function stop(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise((r) => child.once('exit', r))
  child.kill(signal)
  await Promise.race([gone, sleep(5000)])
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

export type PairOptions = {
  mode: PairMode
  /** Lines added to each node's [wan] section. */
  haToolExtra?: string
  /** Whole sections appended to each node's ha-tool config (e.g. a [health] section). */
  haToolSections?: string
  dbus?: boolean
  keepalivedPaths?: {config?: string; pidfile?: string}
  /**
   * Each node's WAN ends in a namespace of its own (<prefix>u1, <prefix>u2) with the ISP router
   * PAIR_UPSTREAM and a health target PAIR_TARGET on its isp0, so a test can take one node's target away
   * (`ip -n <upstream> addr del PAIR_TARGET/24 dev isp0`) without touching its WAN carrier.
   */
  upstream?: boolean
}

/** The ISP router and a health target at the far end of each node's WAN (with `upstream: true`). */
export const PAIR_UPSTREAM = '198.51.100.1'
export const PAIR_TARGET = '198.51.100.7'

export async function withKeepalivedPair<T>(prefix: string, opts: PairOptions, fn: (nodes: [PairNode, PairNode]) => Promise<T>): Promise<T> {
  if (!prefix.startsWith('hat-')) throw new Error('namespaces must start with hat-')
  const root = mkdtempSync(join(tmpdir(), 'ha-tool-ka-'))
  chmodSync(root, 0o755)
  const procs: ChildProcess[] = []
  const keepalived: Array<ChildProcess | undefined> = [undefined, undefined]
  const daemons: Array<ChildProcess | undefined> = [undefined, undefined]
  // <prefix>1 and <prefix>2 on one LAN cable; each WAN's far end (isp0) in the node itself or in its upstream <prefix>uN
  const wan = (i: 1 | 2): [End<PairNodeName>, End<PairNodeName>] => [
    {node: `${i}`, dev: 'wan0', addrs: ['198.51.100.10/24']},
    {node: opts.upstream ? `u${i}` : `${i}`, dev: 'isp0', ...(opts.upstream ? {addrs: [`${PAIR_UPSTREAM}/24`, `${PAIR_TARGET}/24`]} : {})},
  ]
  const gw: NodeSpec = {routes: ['default via 198.51.100.1 dev wan0 table 250']}
  let t: Topology<PairNodeName>
  try {
    t = buildTopology<PairNodeName>({
      prefix,
      nodes: {'1': gw, '2': gw, ...(opts.upstream ? {u1: {}, u2: {}} : {})} as Record<PairNodeName, NodeSpec>,
      links: [[{node: '1', dev: 'lan0', addrs: ['10.99.0.1/24']}, {node: '2', dev: 'lan0', addrs: ['10.99.0.2/24']}], wan(1), wan(2)],
    })
  } catch (error) {
    rmSync(root, {recursive: true, force: true})
    throw error
  }
  const names = [t.ns['1'], t.ns['2']]
  const upstreams = opts.upstream ? [t.ns.u1, t.ns.u2] : []
  try {
    const nodes = names.map((ns, i): PairNode => {
      const dir = join(root, `n${i + 1}`)
      mkdirSync(join(dir, 'state'), {recursive: true})
      const ip = (...a: string[]) => sh(['ip', '-n', ns, ...a])
      const config = join(dir, 'ha-tool.toml')
      writeFileSync(config, [
        '[wan]', 'interface = "wan0"', ...(opts.haToolExtra?.includes('up_timeout_ms') ? [] : ['up_timeout_ms = 2000']), opts.haToolExtra ?? '',
        '[lan]', 'interface = "lan0"', `address = "10.99.0.${i + 1}/24"`, `vip = "${PAIR_VIP}"`, 'vrid = 51',
        '[keepalived]', 'instance = "VI_1"', `priority = ${i === 0 ? 150 : 100}`, 'advert_int_ms = 100',
        `config = "${opts.keepalivedPaths?.config ?? join(dir, 'keepalived.conf')}"`, `dbus = ${opts.dbus ? 'true' : 'false'}`,
        `fifo = "${join(dir, 'vrrp.fifo')}"`, `pidfile = "${opts.keepalivedPaths?.pidfile ?? join(dir, 'keepalived.pid')}"`,
        '[state]', `dir = "${join(dir, 'state')}"`,
        '[doctor]', `binary = "${BIN}"`,
        '[log]', `file = "${join(dir, 'ha-tool.log')}"`, 'level = "debug"', opts.haToolSections ?? '', '',
      ].join('\n'))
      writeFileSync(join(dir, 'state', 'track'), '0\n')
      const events = join(dir, 'events.fifo')
      writeFileSync(join(dir, 'keepalived.conf'), pairKeepalivedConf(config, ns, events, opts))
      const busAddress = opts.dbus ? `unix:path=${join(dir, 'bus.sock')}` : undefined
      const env = {...process.env, ...(busAddress ? {DBUS_SYSTEM_BUS_ADDRESS: busAddress} : {})}
      const node: PairNode = {
        ns, dir, config, busAddress, upstream: upstreams[i],
        reported: () => {
          // Role changes only: MASTER_RX_LOWER_PRI and *_PRIORITY lines are not states; DELETED counts as STOP.
          try {
            return readFileSync(join(dir, 'events.log'), 'utf8').split('\n').filter((l) => l.startsWith('INSTANCE "VI_1"')).map((l) => l.split(' ')[2])
              .filter((st) => ['MASTER', 'BACKUP', 'FAULT', 'STOP', 'DELETED'].includes(st)).map((st) => (st === 'DELETED' ? 'STOP' : st))
          } catch { return [] }
        },
        applied: () => { try { return (JSON.parse(readFileSync(join(dir, 'state', 'state.json'), 'utf8')) as {role: string}).role } catch { return undefined } },
        wanRules: () => (JSON.parse(ip('-j', 'rule', 'show')) as Array<{priority: number; table: string}>).filter((r) => r.priority === 32770 && String(r.table) === '250').length,
        wanUp: () => (JSON.parse(ip('-j', 'link', 'show', 'dev', 'wan0')) as Array<{flags: string[]}>)[0].flags.includes('UP'),
        setTrack: (v) => writeFileSync(join(dir, 'state', 'track'), `${v}\n`),
        startKeepalived: async () => {
          // The ordered record: keepalived's notify_fifo, copied to a log by cat.
          if (!existsSync(events)) sh(['mkfifo', events])
          const cat = spawn('sh', ['-c', `exec cat "$0" >> "$1"`, events, join(dir, 'events.log')], {stdio: 'ignore'})
          procs.push(cat)
          if (busAddress && !existsSync(join(dir, 'bus.sock'))) {
            writeFileSync(join(dir, 'bus.conf'), readFileSync(new URL('../../scripts/lab-tools/private-bus.conf', import.meta.url), 'utf8').replace('@SOCKET@', join(dir, 'bus.sock')))
            procs.push(spawn('dbus-daemon', [`--config-file=${join(dir, 'bus.conf')}`, '--nofork', '--nopidfile'], {stdio: 'ignore'}))
            for (let t = 0; t < 100 && !existsSync(join(dir, 'bus.sock')); t++) await sleep(20)
          }
          const ka = spawn('ip', ['netns', 'exec', ns, '/usr/sbin/keepalived', '-n', '-l', '-D', '-f', join(dir, 'keepalived.conf'),
            '-p', join(dir, 'keepalived.pid'), '-r', join(dir, 'vrrp.pid')], {stdio: ['ignore', 'ignore', 'ignore'], env})
          keepalived[i] = ka
          procs.push(ka)
          for (let t = 0; t < 100 && !existsSync(join(dir, 'vrrp.pid')); t++) await sleep(50)
        },
        stopKeepalived: async (signal = 'SIGTERM') => {
          const ka = keepalived[i]
          if (signal === 'SIGKILL' && existsSync(join(dir, 'vrrp.pid'))) {
            // keepalived's VRRP child is a separate process: a crash takes both.
            try { process.kill(Number(readFileSync(join(dir, 'vrrp.pid'), 'utf8')), 'SIGKILL') } catch { /* gone */ }
          }
          await stop(ka, signal)
          keepalived[i] = undefined
          rmSync(join(dir, 'vrrp.pid'), {force: true})
        },
        startDaemon: async () => {
          const d = spawn('ip', ['netns', 'exec', ns, process.execPath, BIN, 'daemon', '--config', config], {stdio: 'ignore', env})
          daemons[i] = d
          procs.push(d)
          await sleep(300)
        },
        stopDaemon: async () => { await stop(daemons[i]); daemons[i] = undefined },
      }
      return node
    })
    return await fn(nodes as [PairNode, PairNode])
  } finally {
    for (const p of procs.reverse()) await stop(p)
    // Notify scripts or the daemon may still be finishing: what is left in the namespaces ends with them.
    t.destroy()
    rmSync(root, {recursive: true, force: true})
  }
}

/** The pair's VIP (on keepalived's VMAC interface vrrp.51, as the example configures it). */
export const PAIR_VIP = '10.99.0.254'

/** Whether a node holds the VIP on any interface (the example puts it on the VMAC, vrrp.51). */
export function holdsVip(n: PairNode): boolean {
  return sh(['ip', '-n', n.ns, '-4', '-o', 'addr', 'show']).includes(` ${PAIR_VIP}/`)
}

/**
 * keepalived.conf from `ha-tool config example keepalived` on the node's config (script mode for notify
 * scripts, fifo otherwise), plus the test's taps; each edit fails loudly when the example changes under it.
 */
function pairKeepalivedConf(config: string, ns: string, events: string, opts: {mode: PairMode; dbus?: boolean}): string {
  let text = execFileSync(process.execPath, [BIN, 'config', 'example', 'keepalived', '--mode', opts.mode === 'notify' ? 'script' : 'fifo', '--config', config], {encoding: 'utf8', env: cleanEnv()})
  const once = (re: RegExp, by: (m: string) => string) => {
    if (!re.test(text)) throw new Error(`keepalived-pair: the shipped keepalived example no longer has ${re}`)
    text = text.replace(re, by)
  }
  const taps = [`  router_id ${ns}`, `  notify_fifo ${events}`]
  // fifo: the daemon as keepalived's child (vrrp_notify_fifo_script), which users may still configure
  if (opts.mode === 'fifo') taps.push(`  vrrp_notify_fifo_script "${BIN} daemon --config ${config}"`)
  once(/^global_defs \{\n/m, (m) => `${m}${taps.join('\n')}\n`)
  if (!opts.dbus) once(/^\s*enable_dbus\n/m, () => '')
  if (opts.mode === 'notify') once(/^\s*notify "[^"]*"\n/m, (m) => m)
  return text
}

/** Polls until fn() is true or the time is up; returns whether it became true. */
export async function eventually(fn: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try { if (fn()) return true } catch { /* not yet */ }
    if (Date.now() > deadline) return false
    await sleep(stepMs)
  }
}
