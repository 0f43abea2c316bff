import type {KeepalivedEvent} from './event.js'
import {priorityProblem, STATES} from './notify-args.js'

const LINE = /^(INSTANCE|GROUP) "(.*)" (\S+) (\S+)$/

/**
 * The longest line taken: keepalived writes a line in one write(2), atomic up to PIPE_BUF (4096).
 * The FIFO adapter keeps at most one character more of any line, so a longer one costs neither
 * memory nor log space and is refused here whole (a truncated line could look valid).
 */
export const MAX_FIFO_LINE = 4096

/**
 * Parses one notify-FIFO line, written by keepalived as `%s "%s" %s %d`:
 * `INSTANCE "VI_1" MASTER 100`, `GROUP "G1" BACKUP 0`. LVS lines (`VS ...`, `RS ...`)
 * share the FIFO and are not ours: they parse as `ignore`. Names, states and priorities follow
 * the rules `notify` applies to its arguments; anything else is malformed.
 */
export function parseFifoLine(line: string): {event: KeepalivedEvent} | {ignore: string} | {error: string} {
  if (line.length > MAX_FIFO_LINE) return {error: `notify FIFO line longer than ${MAX_FIFO_LINE} characters: refused (${JSON.stringify(`${line.slice(0, 60)}...`)})`}
  const text = line.endsWith('\r') ? line.slice(0, -1) : line
  const m = LINE.exec(text)
  if (m) {
    const [, type, name, state, prio] = m
    const why = name === '' ? 'empty instance name' : !STATES.includes(state) ? `unknown state "${state}"` : priorityProblem(prio)
    if (!why) return {event: {type: type as 'INSTANCE' | 'GROUP', name, state, priority: Number(prio)}}
    return {error: `malformed notify FIFO line: ${why}: ${show(text)}`}
  }
  if (/^(VS|RS) /.test(text)) return {ignore: 'LVS event'}
  if (text.trim() === '') return {ignore: 'empty line'}
  return {error: `malformed notify FIFO line: ${show(text)}`}
}

const show = (text: string) => JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text)
