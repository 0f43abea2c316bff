import {type ChildProcess, spawn} from 'node:child_process'
import {familyOf, type Target} from '../../core/health/targets.js'
import {monoMs, type ProbeOptions, type ProbeOutcome, round, sourceFor} from './types.js'
import {tiedToParent} from '../parent-death.js'
import {childEnv} from '../safe-path.js'

/** rtt: the echo's round trip as ping measured it (the probe's latency; the wait for it is not). */
type Echo = {ok: boolean; detail: string; at: number; rtt?: number}

/**
 * ICMP for the daemon's monitor: one long-running `ping -O -i INTERVAL` per target instead of
 * a process per cycle (a fork+exec of ping costs ~2-3 ms of CPU, parent and child; a line
 * read from a running ping costs microseconds). Each echo is decided by ping itself: a reply
 * (late when slower than the probe timeout), or "no answer yet" when the next one is sent.
 * A cycle takes the latest decided echo; a stream that has just started waits for its first.
 * If the daemon dies, ping ends at once (parent-death.ts), not only at its next write.
 */
export type IcmpStreams = {
  probe(target: Extract<Target, {kind: 'icmp'}>, opts: ProbeOptions): Promise<ProbeOutcome>
  /** Ends the streams no probe asked for since the last sweep (targets or path changed, standby). */
  sweep(): void
  close(): void
  /** Running ping processes (tests). */
  pids(): number[]
}

export function createIcmpStreams(intervalMs: number): IcmpStreams {
  const streams = new Map<string, PingStream>()
  return {
    probe(target, opts) {
      const family = familyOf(target.host)
      const src = sourceFor(opts.source, family)
      if (src.error) return Promise.resolve({ok: false, ms: 0, detail: src.error})
      // The address is in the key although ping binds the device: a new WAN address starts a new stream.
      const dev = src.address ? opts.source!.dev : undefined
      const key = `${target.host}|${family}|${dev ?? ''}|${src.address ?? ''}|${opts.timeoutMs}`
      let s = streams.get(key)
      if (!s || s.dead) {
        s?.kill()
        s = new PingStream(target.host, family, dev, intervalMs, opts.timeoutMs)
        streams.set(key, s)
      }
      s.used = true
      return s.result(opts)
    },
    sweep() {
      for (const [key, s] of streams) {
        if (!s.used) { s.kill(); streams.delete(key) } else s.used = false
      }
    },
    close() {
      for (const s of streams.values()) s.kill()
      streams.clear()
    },
    pids: () => [...streams.values()].map((s) => s.pid).filter((p): p is number => p !== undefined),
  }
}

class PingStream {
  used = true
  dead?: string
  private readonly child: ChildProcess
  private latest?: Echo
  private waiters = new Set<(e: Echo) => void>()
  private out = ''
  private err = ''

  /** `dev`: the WAN device the echoes are bound to (SO_BINDTODEVICE, see icmp.ts), on the WAN path. */
  constructor(private readonly host: string, family: 4 | 6, dev: string | undefined, private readonly intervalMs: number, private readonly timeoutMs: number) {
    const args = ['-n', '-O', `-${family}`, '-i', (intervalMs / 1000).toFixed(3)]
    if (dev) args.push('-I', dev)
    args.push(host)
    const argv = tiedToParent(['ping', ...args])
    this.child = spawn(argv[0], argv.slice(1), {env: childEnv(), stdio: ['ignore', 'pipe', 'pipe']})
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => this.onData(d))
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => { this.err = (this.err + d).slice(-500) })
    this.child.on('error', (e: NodeJS.ErrnoException) => this.end(e.code === 'ENOENT' ? 'ping is not installed' : e.message))
    this.child.on('close', (code, signal) => {
      const last = this.err.trim().split('\n').pop() ?? ''
      // Through setpriv a missing ping is its message, not ENOENT.
      this.end(/^setpriv: .*No such file/.test(last) ? 'ping is not installed' : last.replace(/^ping: /, '') || `ping ended (${signal ?? `exit ${code}`})`)
    })
  }

  get pid(): number | undefined {
    return this.dead ? undefined : this.child.pid
  }

  result(opts: ProbeOptions): Promise<ProbeOutcome> {
    const started = monoMs()
    const fresh = this.latest && started - this.latest.at <= this.intervalMs + this.timeoutMs
    if (fresh) return Promise.resolve({ok: this.latest!.ok, ms: this.latest!.rtt ?? 0, detail: this.latest!.detail})
    if (this.dead) return Promise.resolve({ok: false, ms: 0, detail: this.dead})
    return new Promise((resolve) => {
      const finish = (ok: boolean, detail: string, cancelled = false, rtt?: number) => {
        clearTimeout(timer)
        this.waiters.delete(onEcho)
        unsubscribe()
        resolve({ok, ms: rtt ?? round(monoMs() - started), detail, ...(cancelled ? {cancelled} : {})})
      }
      const onEcho = (e: Echo) => finish(e.ok, e.detail, false, e.rtt)
      const timer = setTimeout(() => finish(false, `timed out after ${opts.timeoutMs} ms`), opts.timeoutMs)
      this.waiters.add(onEcho)
      const unsubscribe = opts.signal.onCancel(() => finish(false, 'cancelled', true))
    })
  }

  kill(): void {
    if (!this.dead) this.child.kill('SIGKILL')
    this.dead ??= 'stopped'
  }

  private onData(d: string): void {
    this.out += d
    let nl: number
    while ((nl = this.out.indexOf('\n')) >= 0) {
      this.onLine(this.out.slice(0, nl))
      this.out = this.out.slice(nl + 1)
    }
  }

  private onLine(line: string): void {
    const reply = / icmp_seq=\d+ .*time=([\d.]+) ms/.exec(line)
    if (reply && line.includes(' bytes from ')) {
      if (line.includes('(DUP!)')) return
      const t = Number(reply[1])
      this.emit(t <= this.timeoutMs, t <= this.timeoutMs ? `${reply[1]} ms` : `late reply (${reply[1]} ms > ${this.timeoutMs} ms)`, t)
    } else if (line.startsWith('no answer yet for icmp_seq=')) {
      this.emit(false, 'no reply')
    } else {
      const icmpError = /^From \S+ icmp_seq=\d+ (.+)$/.exec(line)
      if (icmpError) this.emit(false, icmpError[1].toLowerCase())
    }
  }

  private emit(ok: boolean, detail: string, rtt?: number): void {
    this.latest = {ok, detail, at: monoMs(), ...(rtt === undefined ? {} : {rtt})}
    for (const w of [...this.waiters]) w(this.latest)
  }

  private end(reason: string): void {
    if (this.dead) return
    this.dead = `${this.host}: ${reason}`
    this.emit(false, reason)
  }
}
