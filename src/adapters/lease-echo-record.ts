import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from './files.js'

/**
 * The lease lines `leases receive` applied lately (core/leases/echo.ts), in state.dir: the hook
 * reads it to drop dnsmasq's echo of a lease the peer itself sent. Losing it costs an echo, no more.
 */
export function createLeaseEchoRecord(stateDir: string): {read(): string; write(text: string): void} {
  const file = join(stateDir, 'lease-received')
  return {
    read: () => {
      try { return readFileSync(file, 'latin1') } catch { return '' }
    },
    write: (text) => writeFileAtomic(file, text, {mkdir: true, mode: 0o600, durable: false}),
  }
}
