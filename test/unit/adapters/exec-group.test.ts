// The exec adapter's timeout ends the whole process group it made, not only the child: a step that
// timed out must leave nothing running after the transition (notify exits right after it, so no later
// code would ever kill a left-over). A normal exit leaves what the child started on purpose alone.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {test} from 'node:test'
import {createExec} from '../../../src/adapters/exec.js'

const exec = createExec()

/** Alive and not a zombie (a zombie's reaping by init may lag a little). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (!running(pid)) return true
    await new Promise((r) => setTimeout(r, 20))
  }
  return !running(pid)
}

const grandchildOf = (stdout: string): number => {
  const pid = Number(stdout.trim().split('\n')[0])
  assert.ok(Number.isInteger(pid) && pid > 1, `no grandchild PID in ${JSON.stringify(stdout)}`)
  return pid
}

test('a timeout ends the child\'s own children too (SIGTERM to the group)', async (t) => {
  const r = await exec(['sh', '-c', 'sleep 30 & echo $!; wait'], {timeoutMs: 200})
  const pid = grandchildOf(r.stdout)
  t.after(() => { try { process.kill(pid, 'SIGKILL') } catch { /* gone, as it should be */ } })
  assert.equal(r.timedOut, true)
  assert.ok(await goneWithin(pid, 1000), `the timed-out command's child ${pid} still runs`)
})

test('a timeout ends children that ignore SIGTERM (SIGKILL to the group a second later)', async (t) => {
  // The shell and the sleep it starts both ignore SIGTERM (an ignored signal stays ignored across exec).
  const r = await exec(['sh', '-c', 'trap "" TERM; sleep 30 & echo $!; wait'], {timeoutMs: 200})
  const pid = grandchildOf(r.stdout)
  t.after(() => { try { process.kill(pid, 'SIGKILL') } catch { /* gone */ } })
  assert.equal(r.timedOut, true)
  assert.equal(r.signal, 'SIGKILL')
  assert.ok(r.durationMs >= 1100 && r.durationMs < 4000, `took ${r.durationMs} ms`)
  assert.ok(await goneWithin(pid, 1000), `the timed-out command's child ${pid} still runs`)
})

test('a timed-out child that exits on SIGTERM while its own child holds the pipes: that child is killed, the call returns', async (t) => {
  const r = await exec(['sh', '-c', 'trap "exit 0" TERM; sh -c \'trap "" TERM; echo $$; exec sleep 30\' & wait'], {timeoutMs: 200})
  const pid = grandchildOf(r.stdout)
  t.after(() => { try { process.kill(pid, 'SIGKILL') } catch { /* gone */ } })
  assert.equal(r.timedOut, true)
  assert.ok(r.durationMs < 1000, `took ${r.durationMs} ms`)
  assert.ok(await goneWithin(pid, 1000), `the timed-out command's child ${pid} still runs`)
})

test('without a timeout, a daemon the command started is left running', async (t) => {
  const r = await exec(['sh', '-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], {timeoutMs: 5000})
  const pid = grandchildOf(r.stdout)
  t.after(() => { try { process.kill(pid, 'SIGKILL') } catch { /* gone */ } })
  assert.equal(r.timedOut, false)
  assert.equal(r.code, 0)
  await new Promise((res) => setTimeout(res, 100))
  assert.ok(running(pid), 'the started process was killed although the command exited normally')
})

test('a child without a timeout stays in our process group (a terminal\'s Ctrl-C reaches it); one with a timeout leads its own', async () => {
  const pgid = (stat: string): number => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
  const ours = pgid(readFileSync('/proc/self/stat', 'utf8'))
  const without = await exec(['cat', '/proc/self/stat'])
  assert.equal(pgid(without.stdout), ours)
  const within = await exec(['cat', '/proc/self/stat'], {timeoutMs: 5000})
  const pid = Number(within.stdout.split(' ')[0])
  assert.equal(pgid(within.stdout), pid, 'the timed child leads its own group')
})
