import type {Config} from '../config/schema.js'

/** The notify FIFO keepalived writes and the daemon reads: keepalived.fifo, "" = <state.dir>/notify.fifo. */
export function notifyFifoOf(config: Pick<Config, 'keepalived' | 'state'>): string {
  return config.keepalived.fifo || `${config.state.dir.replace(/\/+$/, '')}/notify.fifo`
}
