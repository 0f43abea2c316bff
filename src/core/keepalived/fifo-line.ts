import type {KeepalivedEvent} from './event.js'

const LINE = /^(INSTANCE|GROUP) "(.*)" ([A-Z_]+) (-?\d+)$/

/**
 * Parses one notify-FIFO line, written by keepalived as `%s "%s" %s %d`:
 * `INSTANCE "VI_1" MASTER 100`, `GROUP "G1" BACKUP 0`. LVS lines (`VS ...`, `RS ...`)
 * share the FIFO and are not ours: they parse as `ignore`. Anything else is malformed.
 */
export function parseFifoLine(line: string): {event: KeepalivedEvent} | {ignore: string} | {error: string} {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line
  const m = LINE.exec(text)
  if (m) return {event: {type: m[1] as 'INSTANCE' | 'GROUP', name: m[2], state: m[3], priority: Number(m[4])}}
  if (/^(VS|RS) /.test(text)) return {ignore: 'LVS event'}
  if (text.trim() === '') return {ignore: 'empty line'}
  return {error: `malformed notify FIFO line: ${JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text)}`}
}

