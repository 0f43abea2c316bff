// The watchdog's process-table evidence against a real keepalived in a namespace: it counts only the
// keepalived of its own network namespace (two lab nodes share one process table), ignores a wrong
// pid file, and sees keepalived gone right after a kill -9.
import assert from 'node:assert/strict'
import {execFileSync, spawn} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {keepalivedAlive, keepalivedPids} from '../../../src/adapters/keepalived-process.js'
import {ROOT} from '../../support/spawn.js'
import {buildTopology} from '../../support/topology.js'

const skip = process.getuid?.() !== 0 ? 'needs root (network namespaces)' : !existsSync('/usr/sbin/keepalived') ? 'keepalived is not installed (scripts/install-system-deps)' : undefined
const NS = 'hat-kaproc'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const sh = (argv: string[]) => execFileSync(argv[0], argv.slice(1), {encoding: 'utf8'})

/** keepalivedAlive / keepalivedPids as seen from inside the namespace. */
function fromInside(pidfile: string): {alive: boolean; pids: number[]} {
  const script = `import {keepalivedAlive, keepalivedPids} from ${JSON.stringify(join(ROOT, 'src/adapters/keepalived-process.ts'))}\nconsole.log(JSON.stringify({alive: keepalivedAlive(${JSON.stringify(pidfile)}), pids: keepalivedPids()}))`
  return JSON.parse(sh(['ip', 'netns', 'exec', NS, process.execPath, '--import', 'tsx', '--input-type=module', '-e', script])) as {alive: boolean; pids: number[]}
}

describe('keepalived in the process table', {skip}, () => {
  it('only this namespace\'s keepalived counts; the pid file is a hint; kill -9 shows at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-tool-kaproc-'))
    const topo = buildTopology({prefix: 'hat-', names: {node: NS}, nodes: {node: {}}, links: [[{node: 'node', dev: 'lan0', addrs: ['10.98.0.1/24']}, {node: 'node', dev: 'lan1', up: false}]]})
    let pid: number | undefined
    try {
      writeFileSync(join(dir, 'k.conf'), 'global_defs {\n  router_id kaproc\n}\nvrrp_instance V {\n  state BACKUP\n  interface lan0\n  virtual_router_id 52\n  priority 100\n  advert_int 1\n  virtual_ipaddress {\n    10.98.0.254/24\n  }\n}\n')
      const ka = spawn('ip', ['netns', 'exec', NS, '/usr/sbin/keepalived', '-n', '-l', '-D', '-f', join(dir, 'k.conf'), '-p', join(dir, 'k.pid'), '-r', join(dir, 'v.pid')], {stdio: 'ignore'})
      pid = ka.pid
      for (let t = 0; t < 100 && !existsSync(join(dir, 'v.pid')); t++) await sleep(50)
      const inside = fromInside('/nonexistent/keepalived.pid')
      assert.equal(inside.alive, true, 'a wrong pid file path does not hide keepalived')
      assert.ok(inside.pids.includes(pid!), `keepalived ${pid} found inside: ${inside.pids.join(',')}`)
      assert.ok(!keepalivedPids().includes(pid!), 'the namespace\'s keepalived is not ours out here')
      assert.equal(keepalivedAlive(join(dir, 'k.pid')), keepalivedPids().length > 0, 'a pid file naming another namespace\'s keepalived is no evidence here')
      const vrrp = Number(execFileSync('cat', [join(dir, 'v.pid')], {encoding: 'utf8'}).trim())
      const gone = new Promise((r) => ka.once('exit', r))
      process.kill(vrrp, 'SIGKILL')
      process.kill(pid!, 'SIGKILL')
      await gone
      await sleep(20)
      assert.deepEqual(fromInside(join(dir, 'k.pid')), {alive: false, pids: []}, 'a stale pid file does not keep keepalived alive')
    } finally {
      if (pid) try { process.kill(pid, 'SIGKILL') } catch { /* gone */ }
      topo.destroy()
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
