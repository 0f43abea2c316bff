// Watches a namespace's routing rules with `ip -ts -o monitor rule` and records, with the kernel
// event's own timestamp, when the WAN rule appeared or went away. Times are wall-clock ms.
import {spawn} from 'node:child_process'

export function watchRules(ns, priority = 32770, table = 250) {
  const mon = spawn('ip', ['netns', 'exec', ns, 'ip', '-ts', '-o', 'monitor', 'rule'], {stdio: ['ignore', 'pipe', 'ignore'], env: {...process.env, TZ: 'UTC'}})
  const events = []
  const waiters = []
  let buf = ''
  mon.stdout.setEncoding('utf8').on('data', (d) => {
    buf += d
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      const m = /^\[(\S+)\] (Deleted )?(\d+):.*lookup (\S+)/.exec(line)
      if (!m || Number(m[3]) !== priority || m[4] !== String(table)) continue
      const e = {at: Date.parse(`${m[1]}Z`) + Number(`0.${m[1].split('.')[1].slice(3)}`), added: !m[2]}
      events.push(e)
      for (const w of waiters.splice(0)) w()
    }
  })
  const ready = new Promise((r) => setTimeout(r, 300))
  return {
    ready,
    /** The first event of that kind at or after `since` (ms), waiting up to timeoutMs. */
    async next(added, since, timeoutMs = 15000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const e = events.find((x) => x.added === added && x.at >= since - 1)
        if (e) return e.at
        if (Date.now() > deadline) return undefined
        await new Promise((r) => { waiters.push(r); setTimeout(r, 50) })
      }
    },
    stop: () => mon.kill('SIGTERM'),
  }
}

export const nowMs = () => performance.timeOrigin + performance.now()
