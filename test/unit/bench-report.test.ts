// `npm run bench` writes its figures into docs/benchmarks.md: stamped, per benchmark, leaving the rest of the file alone.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {writeBenchReport} from '../../scripts/bench-report.mjs'

const ROOT = new URL('../..', import.meta.url).pathname

describe('bench report', () => {
  it('replaces only the benchmarks that ran, keeps the others and the text around, and a full run replaces all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-tool-bench-'))
    try {
      const file = join(dir, 'b.md')
      writeFileSync(file, '# Benchmarks\nintro\n<!-- bench:begin -->\n<!-- bench:earlier -->\n### earlier\nold table\n<!-- bench:end -->\nafter\n')
      writeBenchReport(file, {startup: {ratio: 1.1}, leases: {error: 'no root'}}, {}, false, ROOT)
      let t = readFileSync(file, 'utf8')
      assert.match(t, /^# Benchmarks\nintro\n<!-- bench:begin -->\n<!-- bench:startup -->\n### startup\n\n\d{4}-\d\d-\d\d \d\d:\d\d UTC, commit \w+/)
      assert.match(t, /Node v\d+/)
      assert.match(t, /"ratio": 1\.1/)
      assert.match(t, /old table/, 'earlier figures stay on a partial run')
      assert.doesNotMatch(t, /bench:leases/, 'a failed benchmark writes nothing')
      assert.match(t, /<!-- bench:end -->\nafter\n$/)
      writeBenchReport(file, {leases: {merge: 1.27}}, {leases: (r) => `| merge | ${(r as {merge: number}).merge} |`}, false, ROOT)
      t = readFileSync(file, 'utf8')
      assert.match(t, /### leases\n\n.*\n\n\| merge \| 1\.27 \|/)
      assert.match(t, /"ratio": 1\.1/)
      writeBenchReport(file, {startup: {ratio: 1.2}}, {}, true, ROOT)
      t = readFileSync(file, 'utf8')
      assert.doesNotMatch(t, /old table|bench:leases|1\.1/)
      assert.match(t, /"ratio": 1\.2/)
      writeFileSync(file, 'no region\n')
      assert.throws(() => writeBenchReport(file, {startup: {}}, {}, true, ROOT), /no <!-- bench:begin -->/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('a benchmark that ran only in part (`partial`) writes nothing and keeps its earlier figures, in a full run too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-tool-bench-'))
    try {
      const file = join(dir, 'b.md')
      writeFileSync(file, '<!-- bench:begin -->\n<!-- bench:failover -->\n### failover\nthe full table\n<!-- bench:retired -->\n### retired\ngone\n<!-- bench:end -->\n')
      assert.deepEqual(writeBenchReport(file, {failover: {partial: 'without baseline, 2 runs per cell', n: 2}}, {}, false, ROOT), [])
      let t = readFileSync(file, 'utf8')
      assert.match(t, /the full table/)
      assert.doesNotMatch(t, /2 runs per cell|"n": 2/)
      assert.deepEqual(writeBenchReport(file, {startup: {ratio: 1.3}, failover: {partial: 'without kill', n: 5}}, {}, true, ROOT), ['startup'])
      t = readFileSync(file, 'utf8')
      assert.match(t, /the full table/, 'a full run of every benchmark keeps the earlier figures of one that ran in part')
      assert.doesNotMatch(t, /bench:retired/, 'a full run drops a benchmark that no longer ran')
      assert.match(t, /"ratio": 1\.3/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
