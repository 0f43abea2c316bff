import {spawn} from 'node:child_process'
import type {Target} from '../../core/health/targets.js'
import {familyOf} from '../../core/health/targets.js'
import {monoMs, type ProbeOptions, type ProbeOutcome, settleOnce, sourceFor} from './types.js'
import {childEnv} from '../safe-path.js'

/**
 * One ICMP echo through the system `ping` (iputils), spawned directly: the `ping` npm package
 * wraps the same binary and costs ~15 ms to import on a path keepalived runs every second.
 * On the WAN path `-I DEV` binds the echo to the WAN device (SO_BINDTODEVICE), so no other
 * route (a default route in the main table, the table-240 fallback through the LAN) can
 * carry it: a dead WAN stays dead however healthy the other paths are. The kernel then picks
 * the WAN's own address as source. With no route through the WAN at all it assumes the
 * target is on-link and ARPs for it on the WAN; only the MASTER probes its WAN (a BACKUP is
 * "standby", core/health/path.ts), and the MASTER owns that link.
 */
export function icmpProbe(target: Extract<Target, {kind: 'icmp'}>, opts: ProbeOptions): Promise<ProbeOutcome> {
  const started = monoMs()
  const family = familyOf(target.host)
  const src = sourceFor(opts.source, family)
  if (src.error) return Promise.resolve({ok: false, ms: 0, detail: src.error})
  // -W is ping's own wait for the reply; our timer (settleOnce) is the one that counts.
  const args = ['-n', '-q', '-c', '1', `-${family}`, '-W', (Math.max(opts.timeoutMs, 1) / 1000).toFixed(3)]
  if (src.address) args.push('-I', opts.source!.dev)
  args.push(target.host)
  const child = spawn('ping', args, {env: childEnv(), stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  let err = ''
  const s = settleOnce(opts, started, () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d })
  child.on('error', (e: NodeJS.ErrnoException) => s.done(false, e.code === 'ENOENT' ? 'ping is not installed' : e.message))
  child.on('close', (code) => {
    if (code === 0) {
      const rtt = /= [\d.]+\/([\d.]+)\//.exec(out)
      s.done(true, rtt ? `${rtt[1]} ms` : 'reply')
    } else {
      const why = err.trim().split('\n').pop()?.replace(/^ping: /, '')
      s.done(false, code === 1 ? 'no reply' : why || `ping exit ${code}`)
    }
  })
  return s.promise
}
