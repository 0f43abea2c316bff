// The daemon's kernel watchers (`ip monitor`, `nft monitor`) end with the daemon, even when it is SIGKILLed:
// a process that only starts watchWan is killed, and its monitors must be gone at once (they would otherwise
// wait for their next write to a closed pipe). Runs in a namespace of its own, so no event ever comes.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'
import {sh} from '../../support/netns.js'
import {buildTopology} from '../../support/topology.js'
import {hasProgram, ROOT} from '../../support/spawn.js'

const skip = process.getuid?.() !== 0 ? 'needs root (a network namespace)' : !hasProgram('nft') ? 'nft is not installed (scripts/install-system-deps)' : undefined
const NS = 'hat-ww'

const alive = (pid: number) => { try { process.kill(pid, 0); return true } catch { return false } }
const childrenOf = (pid: number) => sh(['ps', '-o', 'pid=,args=', '--ppid', String(pid)], false).stdout.split('\n').map((l) => l.trim()).filter(Boolean)

test('ip monitor and nft monitor die with a daemon that is SIGKILLed', {skip, timeout: 30_000}, async () => {
  const topo = buildTopology({prefix: 'hat-', names: {node: NS}, nodes: {node: {}}})
  let holder: ReturnType<typeof spawn> | undefined
  try {
    const script = [
      `import {watchWan} from ${JSON.stringify(join(ROOT, 'src/adapters/wan-watch.ts'))}`,
      'watchWan({nft: true}, () => {})',
      "process.stdout.write('ready')",
      'setInterval(() => {}, 1000)',
    ].join('\n')
    holder = spawn('ip', ['netns', 'exec', NS, process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], {cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit']})
    await new Promise<void>((resolve, reject) => {
      holder!.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve() })
      holder!.once('exit', () => reject(new Error('the watcher process exited early')))
    })
    // `ip netns exec` execs node in place: the holder's PID is the daemon's.
    const pid = holder.pid!
    let monitors: number[] = []
    for (let i = 0; i < 50 && monitors.length < 2; i++) {
      monitors = childrenOf(pid).filter((l) => / monitor/.test(l)).map((l) => Number(l.split(' ')[0]))
      if (monitors.length < 2) await new Promise((r) => setTimeout(r, 50))
    }
    assert.equal(monitors.length, 2, `two monitors under the daemon: ${childrenOf(pid).join('; ')}`)
    for (const m of monitors) assert.match(readFileSync(`/proc/${m}/cmdline`, 'utf8'), /monitor/)
    process.kill(pid, 'SIGKILL')
    const until = Date.now() + 2000
    while (monitors.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
    assert.deepEqual(monitors.filter(alive), [], 'a monitor outlived the SIGKILLed daemon')
  } finally {
    if (holder?.exitCode === null && holder.signalCode === null) holder.kill('SIGKILL')
    topo.destroy()
  }
})
