// A WAN interface that does not exist (a typo, a renamed NIC) is a failed step, never "already
// converged": `notify BACKUP` exits 3 after removing the WAN rule, `notify MASTER` exits 1 with no
// rule added; the step names the interface. In a throwaway namespace holding no such link.
import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {canUseNetns, type Netns, withNetns} from '../../support/netns.js'
import {ensureBuilt, withTempDir} from '../../support/spawn.js'

const skip = canUseNetns()
const wanRules = (ns: Netns) => (JSON.parse(ns.ip('-j', 'rule', 'show')) as Array<{priority: number; table: string}>).filter((r) => r.priority === 32770 && r.table === '250').length

describe('a WAN interface that is not there', {skip}, () => {
  for (const link of ['keep-up', 'down-on-backup']) {
    it(`${link}: BACKUP exits 3 (rule removed, step failed), MASTER exits 1 (no rule)`, async () => {
      ensureBuilt()
      await withTempDir(async (dir) => withNetns('hat-h2-nowan', (ns) => {
        const c = join(dir, 'c.toml')
        writeFileSync(c, `[wan]\ninterface = "hat-h2-wan9"\nlink = "${link}"\n[state]\ndir = "${join(dir, 'state')}"\n[keepalived]\ndbus = false\n[log]\nlevel = "silent"\n`)
        ns.ip('rule', 'add', 'priority', '32770', 'lookup', '250', 'protocol', '73')
        const b = ns.haTool(['notify', '--config', c, '--json', 'INSTANCE', 'VI_1', 'BACKUP', '100'])
        assert.equal(b.code, 3, b.stdout + b.stderr)
        assert.equal(wanRules(ns), 0, 'the rule goes whatever else fails')
        const out = JSON.parse(b.stdout) as {steps: Array<{kind: string; status: string; error?: string}>}
        const missing = out.steps.find((s) => s.kind === 'wan.missing')
        assert.equal(missing?.status, 'failed')
        assert.match(missing?.error ?? '', /WAN interface hat-h2-wan9 does not exist/)
        const again = ns.haTool(['notify', '--config', c, 'INSTANCE', 'VI_1', 'BACKUP', '100'])
        assert.equal(again.code, 3, 'a re-run is not "already converged" either')
        const m = ns.haTool(['notify', '--config', c, '--json', 'INSTANCE', 'VI_1', 'MASTER', '100'])
        assert.equal(m.code, 1, m.stdout + m.stderr)
        assert.equal(wanRules(ns), 0, 'no rule to a WAN that is not there')
      }))
    })
  }
})
