import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server, type Socket} from 'node:net'
import {endianness, tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'
import {createConntrackd, socketRequest} from '../../../src/adapters/conntrackd.js'
import type {Exec, ExecResult} from '../../../src/adapters/exec.js'

const dir = mkdtempSync(join(tmpdir(), 'hat-ctd-sock-'))
after(() => rmSync(dir, {recursive: true, force: true}))

/** A stand-in for conntrackd's UNIX socket: reads one int like local_handler does, answers, closes (or holds). */
function fakeDaemon(path: string, answer: (code: number, sock: Socket) => void): Promise<{server: Server; codes: number[]}> {
  const codes: number[] = []
  const server = createServer((sock) => {
    sock.once('data', (d: Buffer) => {
      assert.equal(d.length, 4, 'one int, nothing else')
      const code = endianness() === 'LE' ? d.readInt32LE(0) : d.readInt32BE(0)
      codes.push(code)
      answer(code, sock)
    })
  })
  return new Promise((resolve) => server.listen(path, () => resolve({server, codes})))
}

const conf = (socket: string) => {
  const file = join(dir, `conntrackd-${Math.random().toString(36).slice(2)}.conf`)
  writeFileSync(file, `Sync {\n  Mode FTFW {\n    DisableExternalCache Off\n  }\n  UDP {\n    IPv4_address 10.0.0.1\n    IPv4_Destination_Address 10.0.0.2\n    Port 3780\n    Interface sync0\n  }\n}\nGeneral {\n  LockFile ${dir}/lock\n  UNIX {\n    Path ${socket}\n  }\n}\n`)
  return file
}

/** An exec that records what it was asked to run and answers like a conntrackd CLI would. */
function recordingExec(result: Partial<ExecResult> = {}): {exec: Exec; calls: string[][]} {
  const calls: string[][] = []
  const exec: Exec = async (argv) => {
    calls.push([...argv])
    return {argv, code: 0, signal: null, stdout: '', stderr: '', timedOut: false, durationMs: 1, ...result}
  }
  return {exec, calls}
}

describe('conntrackd over its UNIX socket', () => {
  it('sends the CLI\'s request code as one native-endian int and returns what the daemon wrote before closing', async () => {
    const path = join(dir, 'a.ctl')
    const {server, codes} = await fakeDaemon(path, (code, sock) => sock.end(`answer to ${code}\n`))
    try {
      const r = await socketRequest(path, 46, 1000)
      assert.equal(r.state, 'answered')
      assert.equal(r.state === 'answered' && r.stdout, 'answer to 46\n')
      assert.deepEqual(codes, [46])
    } finally { server.close() }
  })

  it('the client: commit, flush, resync, bulk, resync request, purge and stats go over the socket with conntrackd\'s codes, no process spawned', async () => {
    const path = join(dir, 'b.ctl')
    const {server, codes} = await fakeDaemon(path, (_code, sock) => sock.end())
    const {exec, calls} = recordingExec()
    try {
      const c = createConntrackd({exec, binary: 'conntrackd', config: conf(path), timeoutMs: 1000})
      for (const a of ['commit', 'flush', 'flush-internal', 'resync-kernel', 'bulk-send', 'request-resync', 'purge'] as const) await c.request(a)
      await c.dump('external')
      assert.equal(await c.isRunning(), true)
      assert.deepEqual(codes, [46, 45, 33, 44, 22, 23, 26, 17, 21])
      assert.deepEqual(calls, [])
    } finally { server.close() }
  })

  it('a commit returns only when the daemon closes the connection (conntrackd holds it until the commit is done)', async () => {
    const path = join(dir, 'c.ctl')
    let closedAt = 0
    const {server} = await fakeDaemon(path, (_code, sock) => setTimeout(() => { closedAt = performance.now(); sock.end() }, 60))
    try {
      const c = createConntrackd({exec: recordingExec().exec, binary: 'conntrackd', config: conf(path), timeoutMs: 1000})
      await c.request('commit')
      assert.ok(closedAt > 0 && performance.now() >= closedAt, 'resolved after the close')
    } finally { server.close() }
  })

  it('no daemon on the socket: the CLI runs instead (and its failure is diagnosed as before)', async () => {
    const path = join(dir, 'absent.ctl')
    const {exec, calls} = recordingExec({code: 1, stderr: '[ERROR] can\'t connect: is conntrackd running? appropriate permissions?\n'})
    const config = conf(path)
    const c = createConntrackd({exec, binary: 'conntrackd', config, timeoutMs: 1000})
    await assert.rejects(c.request('commit'), /conntrackd is not running \(no socket at/)
    assert.deepEqual(calls, [['conntrackd', '-C', config, '-c']])
  })

  it('a daemon that never answers: a timeout error, and the request is not sent a second time through the CLI', async () => {
    const path = join(dir, 'd.ctl')
    const {server, codes} = await fakeDaemon(path, () => { /* holds the connection */ })
    const {exec, calls} = recordingExec()
    try {
      const c = createConntrackd({exec, binary: 'conntrackd', config: conf(path), timeoutMs: 1000})
      await assert.rejects(c.request('commit', {timeoutMs: 80}), /no answer from conntrackd within 80 ms/)
      assert.deepEqual(codes, [46])
      assert.deepEqual(calls, [])
    } finally { server.close() }
  })
})
