// The notify FIFO adapter against a real FIFO: only a FIFO root alone can write is read (whoever
// can write it can switch this node's role), and a 100 MB line costs neither memory nor log space:
// it arrives as MAX_FIFO_LINE + 1 characters, which the parser refuses, and the next line is read.
import assert from 'node:assert/strict'
import {execFileSync, spawn} from 'node:child_process'
import {chmodSync, chownSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {lineSplitter, openFifo} from '../../../src/adapters/fifo.js'
import {MAX_FIFO_LINE, parseFifoLine} from '../../../src/core/keepalived/fifo-line.js'
import {withTempDir} from '../../support/spawn.js'

describe('openFifo', () => {
  test('refuses a FIFO others or its group can write, or one owned by another user (when root)', async (t) => {
    await withTempDir(async (dir) => {
      const fifo = join(dir, 'notify.fifo')
      execFileSync('mkfifo', ['-m', '0600', fifo])
      openFifo(fifo, 'holder', () => {}).close()
      for (const mode of [0o622, 0o620, 0o666]) {
        chmodSync(fifo, mode)
        assert.throws(() => openFifo(fifo, 'holder', () => {}), (e: NodeJS.ErrnoException) => e.code === 'EFIFOPERM' && e.message.startsWith(`${fifo}: writable by`), mode.toString(8))
      }
      if (process.getuid?.() !== 0) return t.diagnostic('not root: the owner case needs chown')
      chmodSync(fifo, 0o600)
      chownSync(fifo, 65534, 65534)
      assert.throws(() => openFifo(fifo, 'holder', () => {}), /owned by uid 65534: only root may write transitions/)
    })
  })

  test('a 100 MB line: refused by length, memory bounded, the next line read', {timeout: 60_000}, async () => {
    await withTempDir(async (dir) => {
      const fifo = join(dir, 'notify.fifo')
      execFileSync('mkfifo', ['-m', '0600', fifo])
      const lines: string[] = []
      const reader = openFifo(fifo, 'reader', (l) => lines.push(l))
      const before = process.memoryUsage().rss
      let peak = before
      const sample = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 20)
      const writer = spawn('sh', ['-c', `{ head -c 100000000 /dev/zero | tr '\\0' a; printf '\\nINSTANCE "VI_1" MASTER 100\\n'; } > "${fifo}"`], {stdio: 'ignore'})
      await new Promise((resolve) => writer.once('exit', resolve))
      await reader.done
      clearInterval(sample)
      reader.close()
      assert.equal(lines.length, 2)
      assert.equal(lines[0].length, MAX_FIFO_LINE + 1)
      assert.match((parseFifoLine(lines[0]) as {error: string}).error, /longer than 4096 characters: refused/)
      assert.ok((parseFifoLine(lines[0]) as {error: string}).error.length < 200, 'the error (and so the log line) is short')
      assert.deepEqual(parseFifoLine(lines[1]), {event: {type: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 100}})
      assert.ok(peak - before < 64 * 1024 * 1024, `RSS grew ${((peak - before) / 1048576).toFixed(0)} MB reading a 100 MB line`)
    })
  })
})

describe('lineSplitter', () => {
  test('lines split across chunks, a final line without newline, overlong lines cut at MAX + 1', () => {
    const out: string[] = []
    const s = lineSplitter((l) => out.push(l))
    s.push('INSTANCE "VI')
    s.push('_1" MASTER 100\nGROUP "G" BACKUP 0\r\n')
    s.push('x'.repeat(MAX_FIFO_LINE))
    s.push('yy')
    s.push('z'.repeat(10_000))
    s.push('\nINSTANCE "VI_1" BACKUP 90')
    s.end()
    assert.deepEqual(out.map((l) => l.length > 100 ? `${l.length}` : l), ['INSTANCE "VI_1" MASTER 100', 'GROUP "G" BACKUP 0\r', String(MAX_FIFO_LINE + 1), 'INSTANCE "VI_1" BACKUP 90'])
  })
})

describe('parseFifoLine: names, states and priorities as notify takes them', () => {
  for (const [line, why] of [
    ['INSTANCE "VI_1" MASTER 256', /priority "256" is not an integer 0\.\.255/],
    ['INSTANCE "VI_1" MASTER -1', /priority "-1"/],
    ['INSTANCE "VI_1" MASTER 0100', /priority "0100"/],
    ['INSTANCE "VI_1" MASTERX 100', /unknown state "MASTERX"/],
    ['INSTANCE "" MASTER 100', /empty instance name/],
  ] as const) {
    test(line, () => assert.match((parseFifoLine(line) as {error: string}).error, why))
  }
  test('what keepalived writes still parses', () => {
    assert.deepEqual(parseFifoLine('GROUP "G1" BACKUP 0'), {event: {type: 'GROUP', name: 'G1', state: 'BACKUP', priority: 0}})
    assert.deepEqual(parseFifoLine('INSTANCE "VI 1" MASTER_RX_LOWER_PRI 255'), {event: {type: 'INSTANCE', name: 'VI 1', state: 'MASTER_RX_LOWER_PRI', priority: 255}})
  })
})
