// ha-tool's copy of keepalived's script-security rule (src/core/doctor/script-security.ts, used by
// doctor and the lab) held against the real thing: for each case a script under a directory with
// the given owner and mode, `keepalived -t` with enable_script_security, and the rule must agree
// with keepalived on whether the script is refused. Sticky world-writable (/tmp-like) passes,
// world-writable without the sticky bit does not.
import assert from 'node:assert/strict'
import {chmodSync, chownSync, lstatSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {type PathComponent, pathPrefixes, scriptSecurityProblems} from '../../../src/core/doctor/script-security.js'
import {hasProgram, withTempDir} from '../../support/spawn.js'
import {netnsSkipReason, sh, withNetns} from './netns.js'

type Case = {dir: [mode: number, uid: number, gid: number]; file: [mode: number, uid: number, gid: number]; refused: boolean}
const CASES: Case[] = [
  {dir: [0o755, 0, 0], file: [0o755, 0, 0], refused: false},
  {dir: [0o1777, 0, 0], file: [0o755, 0, 0], refused: false},
  {dir: [0o777, 0, 0], file: [0o755, 0, 0], refused: true},
  {dir: [0o757, 0, 0], file: [0o755, 0, 0], refused: true},
  {dir: [0o1757, 0, 0], file: [0o755, 0, 0], refused: false},
  {dir: [0o775, 0, 0], file: [0o755, 0, 0], refused: false},
  {dir: [0o775, 0, 1000], file: [0o755, 0, 0], refused: true},
  {dir: [0o1775, 0, 1000], file: [0o755, 0, 0], refused: false},
  {dir: [0o755, 1000, 0], file: [0o755, 0, 0], refused: true},
  {dir: [0o1777, 1000, 0], file: [0o755, 0, 0], refused: true},
  {dir: [0o755, 0, 0], file: [0o757, 0, 0], refused: true},
  {dir: [0o755, 0, 0], file: [0o775, 0, 1000], refused: true},
  {dir: [0o755, 0, 0], file: [0o775, 0, 0], refused: false},
  {dir: [0o755, 0, 0], file: [0o755, 1000, 0], refused: true},
]

function chainOf(path: string): PathComponent[] {
  return pathPrefixes(path).map((p) => {
    const st = lstatSync(p)
    return {path: p, uid: st.uid, gid: st.gid, mode: st.mode, kind: st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other'}
  })
}

const keepalivedConf = (script: string) => `global_defs {
  enable_script_security
  script_user root
}
vrrp_script c {
  script "${script}"
  interval 1
}
vrrp_instance V {
  interface lan0
  virtual_router_id 9
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.9.9.9/32
  }
  track_script {
    c
  }
}
`

describe('script security: the rule ha-tool applies is keepalived\'s', () => {
  test('keepalived -t and scriptSecurityProblems agree on every case (sticky and non-sticky world-writable directories included)', async (t) => {
    const why = netnsSkipReason() ?? (hasProgram('keepalived') ? undefined : 'keepalived is not installed (scripts/install-system-deps)')
    if (why) { t.skip(why); return }
    // Under a root-owned 0755 directory of our own, so only the case's directory and file vary.
    await withTempDir(async (base) => {
      chmodSync(base, 0o755)
      await withNetns('sec', ['lan0'], async (ns) => {
        for (const [i, c] of CASES.entries()) {
          const dir = join(base, `case${i}`)
          mkdirSync(dir)
          const script = join(dir, 'check')
          writeFileSync(script, '#!/bin/sh\nexit 0\n')
          chownSync(script, c.file[1], c.file[2])
          chmodSync(script, c.file[0])
          chownSync(dir, c.dir[1], c.dir[2])
          chmodSync(dir, c.dir[0])
          const conf = join(base, `k${i}.conf`)
          writeFileSync(conf, keepalivedConf(script))
          const r = sh(['ip', 'netns', 'exec', ns, 'keepalived', '-t', '-l', '-f', conf])
          const keepalivedRefused = /due to insecure|Unsafe permissions/i.test(r.stdout + r.stderr)
          const label = `dir ${c.dir[0].toString(8)} uid ${c.dir[1]} gid ${c.dir[2]}, file ${c.file[0].toString(8)} uid ${c.file[1]} gid ${c.file[2]}`
          assert.equal(keepalivedRefused, c.refused, `${label}: keepalived ${keepalivedRefused ? 'refused' : 'accepted'} it: ${r.stderr}`)
          const problems = scriptSecurityProblems(chainOf(script))
          assert.equal(problems.length > 0, keepalivedRefused, `${label}: ha-tool says ${JSON.stringify(problems)}`)
          // Accepted means accepted: keepalived -t passes the whole file.
          if (!c.refused) assert.equal(r.code, 0, `${label}: keepalived -t exit ${r.code}: ${r.stderr}`)
        }
      })
    }, '/tmp')
  })
})
