// The peer port against real sshd in two namespaces: [peer] honoured (a non-default port, its own
// known_hosts, its key), host keys forced, the forced-command authorized_keys line from
// `config example authorized-keys` letting the peer run only ha-tool's receiving side, and the
// hard timeout holding while a remote child keeps the session's pipes open.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {canUseNetns} from '../../support/netns.js'
import {PeerNodes, run} from '../../support/peer-nodes.js'
import {ROOT} from '../../support/spawn.js'

const why = canUseNetns() ?? (run(['test', '-x', '/usr/sbin/sshd'], {must: false}).code === 0 ? undefined : 'needs /usr/sbin/sshd (openssh-server)')
if (why) console.error(`SKIPPED peer-port tests: ${why}`)

/** Runs a snippet with the peer adapter inside a node's namespace (the test process is outside it). */
function adapterIn(nodes: PeerNodes, ns: string, body: string): {code: number | null; stdout: string; stderr: string; ms: number} {
  const file = join(nodes.dir, `snippet-${Math.random().toString(36).slice(2)}.mts`)
  writeFileSync(file, `import {createPeer} from ${JSON.stringify(join(ROOT, 'src/adapters/peer.ts'))}\n${body}\n`)
  const t0 = Date.now()
  const r = run(['ip', 'netns', 'exec', ns, process.execPath, '--import', 'tsx', file], {must: false, timeoutMs: 30_000})
  return {...r, ms: Date.now() - t0}
}

describe('the peer port over real sshd', {skip: why}, () => {
  let dir: string
  let nodes: PeerNodes
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hat-pp-'))
    nodes = new PeerNodes(dir, 'p', 2222)
    await nodes.setup()
  })
  after(async () => {
    await nodes?.stop()
    rmSync(dir, {recursive: true, force: true})
  })

  test('status --peer reaches the other node on peer.port with its known_hosts, through the forced command', () => {
    const r = nodes.ha(nodes.a, ['status', '--peer', '--json'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const pair = JSON.parse(r.stdout) as {local: {version: number}; peer: {version?: number; available?: boolean; reason?: string}}
    assert.equal(pair.peer.version, 1, JSON.stringify(pair.peer))
    // What ran on B was B's serve: the authorized_keys line from the example.
    assert.match(readFileSync(nodes.b.authorizedKeys, 'utf8'), /^restrict,command="\S+ \S+ peer serve --config \S+b\/ha-tool\.toml",from="192\.168\.191\.1" ssh-ed25519 /)
  })

  test('doctor: peer-ssh and peer-config pass over the same port', () => {
    const r = nodes.ha(nodes.a, ['doctor', '--json'])
    const checks = (JSON.parse(r.stdout) as {checks: Array<{id: string; status: string; detail: string}>}).checks
    const get = (id: string) => checks.find((c) => c.id === id)!
    assert.equal(get('peer-ssh').status, 'pass', get('peer-ssh').detail)
    assert.match(get('peer-ssh').detail, /ssh -p 2222 root@192\.168\.191\.2 \(StrictHostKeyChecking=yes/)
    assert.equal(get('peer-config').status, 'pass', get('peer-config').detail)
  })

  test('the forced command refuses anything but the peer requests, and serves only this node\'s lease file', () => {
    writeFileSync(nodes.b.leases, '1767225600 52:54:00:12:34:56 192.168.1.150 laptop *\n')
    const ssh = (remote: string) => nodes.inNs(nodes.a, ['ssh', '-T', '-p', '2222', '-i', nodes.key, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${nodes.knownHosts}`, `root@${nodes.b.addr}`, remote], false)
    const shell = ssh('id; touch /tmp/hat-pp-pwned')
    assert.equal(shell.code, 2, shell.stdout + shell.stderr)
    assert.match(shell.stderr, /peer serve: refused: not a plain command line/)
    const maint = ssh('ha-tool maintenance on')
    assert.equal(maint.code, 2)
    assert.match(maint.stderr, /not a peer request/)
    const shadow = ssh('cat -- /etc/shadow')
    assert.equal(shadow.code, 2)
    assert.match(shadow.stderr, /only \S+dnsmasq\.leases and \/etc\/conntrackd\/conntrackd\.conf may be fetched/)
    assert.equal(shadow.stdout, '')
    const lease = ssh(`cat -- ${nodes.b.leases}`)
    assert.equal(lease.code, 0, lease.stderr)
    assert.equal(lease.stdout, '1767225600 52:54:00:12:34:56 192.168.1.150 laptop *\n')
  })

  test('a changed host key fails (StrictHostKeyChecking=yes), exit 69, naming the peer', () => {
    const good = readFileSync(nodes.knownHosts, 'utf8')
    const fake = join(dir, 'other_host_key')
    run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', fake])
    try {
      writeFileSync(nodes.knownHosts, good.replace(/^(\[192\.168\.191\.2\]:2222) \S+ \S+$/m, `$1 ${readFileSync(`${fake}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')}`))
      const r = nodes.ha(nodes.a, ['status', '--peer', '--json'])
      assert.equal(r.code, 69, r.stdout)
      assert.match((JSON.parse(r.stdout) as {peer: {reason: string}}).peer.reason, /^peer root@192\.168\.191\.2 unreachable: ssh failed: .*(Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED)/)
      writeFileSync(nodes.knownHosts, '')
      const unknown = nodes.ha(nodes.a, ['status', '--peer', '--json'])
      assert.equal(unknown.code, 69)
      assert.match((JSON.parse(unknown.stdout) as {peer: {reason: string}}).peer.reason, /Host key verification failed/)
    } finally {
      writeFileSync(nodes.knownHosts, good)
    }
  })

  test('the hard timeout holds while a remote child keeps the pipes open', () => {
    const target = `{destination: 'root@${nodes.b.addr}', port: 2222, identity: ${JSON.stringify(nodes.adminKey)}, knownHosts: ${JSON.stringify(nodes.knownHosts)}, connectTimeoutMs: 2000, timeoutMs: 1500, command: [], config: ''}`
    const r = adapterIn(nodes, nodes.a.ns, `
const peer = createPeer(${target})
const t0 = Date.now()
// The remote shell exits at once; the background sleep keeps the session's stdout open.
try { await peer.run(['sh', '-c', 'sleep 20 & echo started']); console.log('resolved', Date.now() - t0) } catch (e) { console.log('rejected', Date.now() - t0, e.exit, e.message) }
try { await peer.run(['sleep', '20']); console.log('resolved', Date.now() - t0) } catch (e) { console.log('rejected', Date.now() - t0, e.exit, e.message) }
`)
    assert.equal(r.code, 0, r.stderr)
    const [first, second] = r.stdout.trim().split('\n')
    const ms = (line: string) => Number(line.split(' ')[1])
    assert.match(first, /^rejected \d+ 69 peer root@192\.168\.191\.2 unreachable: ssh timed out after 1500 ms/)
    assert.ok(ms(first) < 2500, first)
    assert.match(second, /^rejected \d+ 69 /)
    assert.ok(ms(second) - ms(first) < 2500, second)
  })

  test('stream hands over records as they arrive; fetch reads a file', () => {
    const target = `{destination: 'root@${nodes.b.addr}', port: 2222, identity: ${JSON.stringify(nodes.adminKey)}, knownHosts: ${JSON.stringify(nodes.knownHosts)}, connectTimeoutMs: 2000, timeoutMs: 10000, command: ['sh', '-c', 'for i in 1 2 3; do echo rec$i; sleep 0.3; done', 'x'], config: ''}`
    const r = adapterIn(nodes, nodes.a.ns, `
const peer = createPeer(${target})
const t0 = Date.now()
const seen: string[] = []
const res = await peer.stream([], (line) => seen.push(line + '@' + (Date.now() - t0)))
console.log(JSON.stringify({code: res.code, seen}))
console.log((await peer.fetch(${JSON.stringify(nodes.b.leases)})).toString().trim())
`)
    assert.equal(r.code, 0, r.stderr)
    const [line1, line2] = r.stdout.trim().split('\n')
    const out = JSON.parse(line1) as {code: number; seen: string[]}
    assert.equal(out.code, 0)
    assert.deepEqual(out.seen.map((s) => s.split('@')[0]), ['rec1', 'rec2', 'rec3'])
    // Streamed, not collected: the first record came while the remote was still writing (0.3 s apart).
    const at = out.seen.map((s) => Number(s.split('@')[1]))
    assert.ok(at[2] - at[0] >= 400, `records at ${at.join(', ')} ms`)
    assert.match(line2, /laptop/)
  })
})
