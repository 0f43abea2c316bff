import {readFileSync, unlinkSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from './files.js'

/**
 * The daemon's lease replicator announces itself with a pid file in state.dir: while it runs, the
 * hook only queues (the replicator drains over its held ssh channel) and returns to dnsmasq at once.
 * The lease-file watch announces itself the same way (`lease-watch.pid`), to the shipped dnsmasq-script.
 */
export function createReplicatorPid(stateDir: string, name = 'lease-replicator.pid'): {alive(): boolean; claim(): void; release(): void} {
  const file = join(stateDir, name)
  return {
    alive: () => {
      try {
        const pid = Number(readFileSync(file, 'utf8').trim())
        if (!(pid > 1)) return false
        process.kill(pid, 0)
        return true
      } catch (error) {
        // EPERM: it exists, under another user.
        return (error as NodeJS.ErrnoException).code === 'EPERM'
      }
    },
    claim: () => writeFileAtomic(file, `${process.pid}\n`, {mkdir: true, mode: 0o644, durable: false}),
    release: () => {
      try {
        if (Number(readFileSync(file, 'utf8').trim()) === process.pid) unlinkSync(file)
      } catch { /* gone */ }
    },
  }
}
