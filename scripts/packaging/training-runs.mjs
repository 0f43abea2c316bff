// The runs that make the V8 code caches of the hot commands (the ones keepalived and dnsmasq spawn):
// each is run for real, and every run adds what it compiled to the cache. Used by `npm run package`
// for the single executable (through scripts/packaging/sea-main.cjs) and by
// scripts/train-code-cache.mjs for the Node program (through bin/run.js).
// notify runs in a network namespace of its own (unshare -n, nothing named, gone when it exits) with
// a veth wan0 that is up, as MASTER and BACKUP, applied and converged; without root it only runs into a config error.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/**
 * Runs the training set with `prefix` (e.g. [node, bin/run.js]) and extra environment `env`.
 * `oclif` adds the runs that go to oclif (--version, --help, a config example, an unknown command).
 * Returns false when notify could only be trained up to its config (not root, no unshare).
 */
export function runTrainingSet({prefix, env: extra, oclif = false, parent = tmpdir()}) {
  const tmp = mkdtempSync(join(parent, 'ha-tool-train-'))
  try {
    // No NODE_OPTIONS: V8 takes a cache only under the flags it was made with.
    const env = {PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HA_TOOL_CONFIG: join(tmp, 'none.toml'), ...extra}
    const run = (argv, more = {}) => spawnSync(prefix[0], [...prefix.slice(1), ...argv], {cwd: tmp, env: {...env, ...more}, encoding: 'utf8', timeout: 60_000})
    const config = join(tmp, 'config.toml')
    writeFileSync(config, `[wan]\ninterface = "wan0"\n[state]\ndir = "${join(tmp, 'state')}"\n[keepalived]\ndbus = false\n[log]\nlevel = "info"\n`)
    const leasesA = join(tmp, 'a.leases')
    const leasesB = join(tmp, 'b.leases')
    const expiry = Math.floor(Date.now() / 1000) + 3600
    writeFileSync(leasesA, `${expiry} 02:00:00:00:00:01 192.168.1.10 a *\n`)
    writeFileSync(leasesB, `${expiry + 5} 02:00:00:00:00:01 192.168.1.10 a *\n${expiry} 02:00:00:00:00:02 192.168.1.11 b *\n`)
    const runs = [
      ...(oclif ? [['--version'], ['--help'], ['config', 'example', 'keepalived'], ['nonsense']] : []),
      ['check', '--target', '127.0.0.1'], ['check', '--target', '127.0.0.1', '--json'],
      ['leases', 'merge', leasesA, leasesB], ['leases', 'merge', leasesA, leasesB, '--json'],
    ]
    for (const argv of runs) run(argv)
    const notify = (role) => ['notify', '--config', config, 'INSTANCE', 'VI_1', role, '100']
    const inNetns = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0
    if (!inNetns) {
      run(notify('MASTER'), {HA_TOOL_CONFIG: '/nonexistent'})
      return false
    }
    const q = (a) => `'${a.replaceAll("'", "'\\''")}'`
    // A WAN that is up (carrier, an address, a default route in table 250, as after a DHCP lease), so that MASTER
    // converges at once and its converged run, the one repeated most, is what the cache holds.
    const script = ['set -e', 'ip link add wan0 type veth peer name wan0-peer', 'ip link set wan0 up', 'ip link set wan0-peer up',
      'ip addr add 198.51.100.10/24 dev wan0', 'ip route add default via 198.51.100.1 dev wan0 table 250',
      ...['MASTER', 'MASTER', 'BACKUP', 'BACKUP', 'MASTER', 'MASTER'].map((role) => `${[...prefix, ...notify(role)].map(q).join(' ')} || true`)].join('\n')
    const r = spawnSync('unshare', ['-n', 'sh', '-c', script], {cwd: tmp, env, encoding: 'utf8', timeout: 120_000})
    if (r.status !== 0) throw new Error(`training notify in a private network namespace failed: ${r.stderr}`)
    return true
  } finally {
    rmSync(tmp, {recursive: true, force: true})
  }
}
