// `ha-tool leases merge|show` as a user runs them (node bin/run.js, stdin closed): output, --json,
// exit codes, refused inputs, and a full or read-only disk leaving the old file intact (a small
// tmpfs in a private mount namespace).
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {checkJsonOutput} from '../../support/json-contract.js'
import {after, describe, test} from 'node:test'

const root = new URL('../../..', import.meta.url).pathname
const bin = join(root, 'bin/run.js')
const dir = mkdtempSync(join(tmpdir(), 'ha-tool-h6-cli-'))
const env: NodeJS.ProcessEnv = {...process.env, HA_TOOL_CONFIG: join(dir, 'none.toml')}
delete env.NODE_EXTRA_CA_CERTS
const run = (args: string[], e: NodeJS.ProcessEnv = env) => {
  const r = spawnSync(process.execPath, [bin, ...args], {encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'], env: e})
  checkJsonOutput([bin, ...args], r.stdout)
  return r
}
const f = (name: string, text: string) => {
  writeFileSync(join(dir, name), text, 'latin1')
  return join(dir, name)
}
const exp = Math.floor(Date.now() / 1000) + 3600
const A = f('a.leases', `${exp} 52:54:00:00:00:0a 192.168.1.150 a *\n${exp} 52:54:00:00:00:0c 192.168.1.9 c 01:aa\n`)
const B = f('b.leases', `${exp + 60} 52:54:00:00:00:0a 192.168.1.150 a *\n${exp} 52:54:00:00:00:0b 192.168.1.160 b *\n`)
const noConfig: NodeJS.ProcessEnv = {...env}
delete noConfig.HA_TOOL_CONFIG

after(() => rmSync(dir, {recursive: true, force: true}))

describe('ha-tool leases merge (fast path)', () => {
  test('stdout is the merged file; no config needed', () => {
    const r = run(['leases', 'merge', A, B], noConfig)
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, `${exp} 52:54:00:00:00:0c 192.168.1.9 c 01:aa\n${exp + 60} 52:54:00:00:00:0a 192.168.1.150 a *\n${exp} 52:54:00:00:00:0b 192.168.1.160 b *\n`)
  })

  test('-o writes the file and prints the report; --json lists the changes', () => {
    const out = join(dir, 'out.leases')
    const r = run(['leases', 'merge', A, B, '-o', out], noConfig)
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, `merged 2 files into ${out}: 3 leases (1 added, 1 updated, 0 dropped, 0 conflicts)\n`)
    const j = run(['leases', 'merge', A, B, '-o', out, '--json'], noConfig)
    const res = JSON.parse(j.stdout)
    assert.deepEqual([res.report.addedIps, res.report.updatedIps, res.output], [['192.168.1.160'], ['192.168.1.150'], out])
  })

  test('a bad file is refused naming FILE:LINE (exit 1), and nothing is written', () => {
    const bad = f('bad.leases', `${exp} 52:54:00:00:00:0a 192.168.1.150 a *\n${exp} nonsense\n`)
    const out = f('keep.leases', 'old\n')
    const r = run(['leases', 'merge', A, bad, '-o', out], noConfig)
    assert.equal(r.status, 1)
    assert.equal(r.stderr, `ha-tool: ${bad}:2: expected 5 space-separated fields\n`)
    assert.equal(readFileSync(out, 'utf8'), 'old\n')
    const t = run(['leases', 'merge', f('trunc.leases', `${exp} 52:54:00:00:00:0a 192.168.1`)], noConfig)
    assert.equal(t.status, 1)
    assert.match(t.stderr, /trunc\.leases:1: no newline at the end of the file: truncated copy, refused/)
    const j = run(['leases', 'merge', bad, '--json'], noConfig)
    assert.equal(j.status, 1)
    assert.equal(JSON.parse(j.stdout).error.kind, 'bad-lease-file')
  })

  test('usage errors exit 2; --help goes to oclif and documents the rules', () => {
    assert.equal(run(['leases', 'merge'], noConfig).status, 2)
    assert.equal(run(['leases', 'merge', join(dir, 'missing.leases')], noConfig).status, 2)
    assert.equal(run(['leases', 'merge', A, '--bogus'], noConfig).status, 2)
    // More inputs than a merge takes: one line saying so, exit 2, no output file.
    const out = join(dir, 'too-many.leases')
    const many = run(['leases', 'merge', ...Array.from({length: 257}, () => A), '-o', out], noConfig)
    assert.equal(many.status, 2, many.stderr)
    assert.equal(many.stderr, 'ha-tool: leases: at most 256 lease files at once, got 257\n')
    assert.throws(() => readFileSync(out), /ENOENT/)
    const h = run(['leases', 'merge', '--help'], noConfig)
    assert.equal(h.status, 0)
    assert.match(h.stdout, /one lease per address/)
    assert.match(h.stdout, /EXIT CODES/)
  })

  test('dnsmasq.lease_max from the config refuses a result dnsmasq would not start with', () => {
    const cfg = f('max.toml', '[wan]\ninterface = "x"\n[dnsmasq]\nlease_max = 2\n')
    const r = run(['leases', 'merge', A, B, '--config', cfg])
    assert.equal(r.status, 1)
    assert.match(r.stderr, /3 leases, over dnsmasq\.lease_max = 2/)
  })

  test('disk full or read-only: the old file is intact and the error names it', () => {
    const big = f('big.leases', Array.from({length: 3000}, (_, i) => `${exp} 52:54:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')} 10.0.${i >> 8}.${i & 255} h${i} *\n`).join(''))
    const mnt = join(dir, 'mnt')
    const script = (ro: boolean) => [
      `mkdir -p ${mnt}`, `mount -t tmpfs -o size=32k tmpfs ${mnt}`, `printf 'old\\n' > ${mnt}/dnsmasq.leases`,
      ...(ro ? [`mount -o remount,ro ${mnt}`] : []),
      `${process.execPath} ${bin} leases merge ${big} -o ${mnt}/dnsmasq.leases; echo "rc=$?"`, `cat ${mnt}/dnsmasq.leases`, `ls -A ${mnt}`,
    ].join(' && ')
    for (const [ro, why] of [[false, 'disk full'], [true, 'read-only file system']] as const) {
      const r = spawnSync('unshare', ['-m', 'sh', '-c', script(ro)], {encoding: 'utf8', env: noConfig})
      assert.match(r.stderr, new RegExp(`dnsmasq\\.leases: cannot write the merged leases \\(${why}\\); the old file is intact`), r.stderr)
      assert.equal(r.stdout, 'rc=1\nold\ndnsmasq.leases\n', 'old content, no temp file left behind')
    }
  })
})

describe('ha-tool leases show', () => {
  test('a table, and --json with every field', () => {
    const r = run(['leases', 'show', A], noConfig)
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout.split('\n')[0], /^ADDRESS\s+MAC\/IAID\s+HOST\s+CLIENT-ID\/DUID\s+EXPIRES$/)
    assert.match(r.stdout, /192\.168\.1\.9\s+52:54:00:00:00:0c\s+c\s+01:aa\s+\d{4}-/)
    const j = JSON.parse(run(['leases', 'show', A, '--json'], noConfig).stdout)
    assert.equal(j.count, 2)
    assert.deepEqual(j.leases[1], {family: 4, expiry: exp, mac: '52:54:00:00:00:0c', ip: '192.168.1.9', host: 'c', clientId: '01:aa', expires: new Date(exp * 1000).toISOString(), expired: false})
  })

  test('the configured file by default; a malformed one names its line', () => {
    const bad = f('bad2.leases', 'x\n')
    const cfg = f('c.toml', `[wan]\ninterface = "x"\n[dnsmasq]\nleases = "${bad}"\n`)
    const r = run(['leases', 'show', '--config', cfg])
    assert.equal(r.status, 1)
    assert.match(r.stderr, /bad2\.leases:1: /)
  })
})
