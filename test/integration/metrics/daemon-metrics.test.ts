// `ha-tool daemon` in a namespace with metrics on: the textfile it writes (atomically, 0644) and its loopback
// HTTP endpoint, read with a strict parser of the Prometheus text format while keepalived's FIFO drives the
// node MASTER then BACKUP and the health monitor probes a target.
import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {canUseNetns, type Netns, withNetns} from '../../support/netns.js'
import {parsePrometheusText, type ParsedFamily, sampleValue} from '../../support/prometheus-text.js'
import {BIN, cleanEnv, ensureBuilt, hasProgram, withTempDir} from '../../support/spawn.js'

const skip = canUseNetns() ?? (hasProgram('mkfifo') ? undefined : 'mkfifo is not installed')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until<T>(what: string, fn: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms
  let last: unknown
  for (;;) {
    try {
      const v = fn()
      if (v !== undefined) return v
    } catch (error) { last = error }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`)
    await sleep(50)
  }
}

/** The FIFO's write end, once the daemon has opened it for reading (O_NONBLOCK: ENXIO until then). */
async function openWriter(fifo: string): Promise<number> {
  const fd = await until('the daemon to open the FIFO', () => {
    try { return openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK) } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENXIO') return undefined
      throw error
    }
  })
  return fd
}

describe('daemon metrics: textfile and loopback endpoint', {skip}, () => {
  it('writes the role, transitions, WAN rule, health and probes, and serves the same on /metrics', async () => {
    ensureBuilt()
    await withTempDir(async (dir) => withNetns('hat-m1-metrics', async (ns: Netns) => {
      const metricsDir = join(dir, 'metrics')
      mkdirSync(metricsDir)
      const port = 9400 + Math.floor(Math.random() * 500)
      const config = join(dir, 'c.toml')
      writeFileSync(config, [
        '[wan]', 'interface = "wan0"', 'up_timeout_ms = 1500', '',
        '[keepalived]', 'dbus = false', '',
        '[health]', 'via = "main"', 'targets = ["127.0.0.1"]', 'interval_ms = 200', 'timeout_ms = 150', 'rise = 1', 'fall = 1', '',
        '[state]', `dir = "${join(dir, 'state')}"`, '',
        '[metrics]', `textfile_dir = "${metricsDir}"`, `listen = "127.0.0.1:${port}"`, 'interval_ms = 1000', '',
      ].join('\n'))
      const fifo = join(dir, 'notify.fifo')
      ns.run(['mkfifo', fifo])
      let daemon: ChildProcess | undefined
      let fd: number | undefined
      let stderr = ''
      try {
        daemon = spawn('ip', ['netns', 'exec', ns.name, process.execPath, BIN, 'daemon', '--config', config, fifo], {stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv()})
        daemon.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d })
        fd = await openWriter(fifo)
        const file = join(metricsDir, 'ha-tool.prom')
        const read = () => (existsSync(file) ? parsePrometheusText(readFileSync(file, 'utf8')) : undefined)
        const when = (what: string, pred: (f: Map<string, ParsedFamily>) => boolean) => until(what, () => { const f = read(); return f && pred(f) ? f : undefined })

        writeSync(fd, 'INSTANCE "VI_1" MASTER 100\n')
        const master = await when('MASTER in the metrics', (f) => sampleValue(f, 'ha_tool_role', {role: 'MASTER'}) === 1 && sampleValue(f, 'ha_tool_health_verdict', {verdict: 'healthy'}) === 1)
        assert.equal(sampleValue(master, 'ha_tool_role', {role: 'BACKUP'}), 0)
        assert.equal(sampleValue(master, 'ha_tool_transitions_total', {role: 'MASTER', source: 'fifo'}), 1)
        assert.equal(sampleValue(master, 'ha_tool_wan_rule_copies'), 1)
        assert.equal(sampleValue(master, 'ha_tool_last_transition_exit_code'), 0)
        assert.ok(sampleValue(master, 'ha_tool_last_transition_duration_seconds')! > 0)
        assert.equal(sampleValue(master, 'ha_tool_health_probe_success', {target: '127.0.0.1', kind: 'icmp'}), 1)
        // The echo's round trip as ping measured it (the monitor's ping stream), not 0 and under the probe timeout.
        const rtt = sampleValue(master, 'ha_tool_health_probe_duration_seconds', {target: '127.0.0.1'})!
        assert.ok(rtt > 0 && rtt < 0.15, `probe duration ${rtt} s`)
        assert.equal(sampleValue(master, 'ha_tool_maintenance'), 0)
        assert.equal(master.has('ha_tool_conntrackd_cache_entries'), false, 'conntrackd is off: no sample, not 0')
        assert.equal(statSync(file).mode & 0o777, 0o644)

        // The endpoint, from inside the namespace (it listens on the namespace's loopback only).
        const scrape = ns.run([process.execPath, '-e', `fetch('http://127.0.0.1:${port}/metrics').then(async (r) => { process.stdout.write(r.status + ' ' + r.headers.get('content-type') + '\\n' + await r.text()) })`])
        assert.equal(scrape.code, 0, scrape.stderr)
        const [head, ...body] = scrape.stdout.split('\n')
        assert.equal(head, '200 text/plain; version=0.0.4; charset=utf-8')
        assert.equal(sampleValue(parsePrometheusText(body.join('\n')), 'ha_tool_role', {role: 'MASTER'}), 1)
        const notFound = ns.run([process.execPath, '-e', `fetch('http://127.0.0.1:${port}/').then((r) => process.stdout.write(String(r.status)))`])
        assert.equal(notFound.stdout, '404')

        writeSync(fd, 'INSTANCE "VI_1" BACKUP 100\n')
        const backup = await when('BACKUP in the metrics', (f) => sampleValue(f, 'ha_tool_role', {role: 'BACKUP'}) === 1)
        assert.equal(sampleValue(backup, 'ha_tool_wan_rule_copies'), 0)
        assert.equal(sampleValue(backup, 'ha_tool_transitions_total', {role: 'MASTER', source: 'fifo'}), 1)
        assert.equal(sampleValue(backup, 'ha_tool_transitions_total', {role: 'BACKUP', source: 'fifo'}), 1)
        // Written by rename: never a temp file left beside it.
        assert.deepEqual(readdirSync(metricsDir), ['ha-tool.prom'])

        closeSync(fd)
        fd = undefined
        // Not keepalived's child, so the daemon runs as a service (it waits for the FIFO to come back): SIGTERM ends it.
        const exited = new Promise<number | null>((resolve) => { daemon!.once('exit', (c) => resolve(c)); if (daemon!.exitCode !== null) resolve(daemon!.exitCode) })
        process.kill(daemon.pid!, 'SIGTERM')
        const code = await Promise.race([exited, sleep(10_000).then(() => 'still running')])
        assert.equal(code, 0, stderr)
      } catch (error) {
        throw new Error(`${(error as Error).message}\ndaemon stderr:\n${stderr.slice(-3000)}`)
      } finally {
        if (fd !== undefined) closeSync(fd)
        if (daemon && daemon.exitCode === null && daemon.pid) process.kill(daemon.pid, 'SIGTERM')
      }
    }, {wan: {}}))
  })
})
