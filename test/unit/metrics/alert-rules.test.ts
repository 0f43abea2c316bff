// docs/prometheus/ha-tool-alerts.yml: with promtool (PATH, $PROMTOOL or .cache/promtool, which
// scripts/install-system-deps extracts from Debian's prometheus package) `check rules` and `test rules`
// run the rules on series for real; without it, the structural checks below still run and the promtool
// test says loudly that it skipped.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {parse} from 'yaml'
import {METRICS} from '../../../src/app/metrics/node-metrics.js'

const ROOT = new URL('../../..', import.meta.url).pathname
const DIR = join(ROOT, 'docs/prometheus')
const RULES = join(DIR, 'ha-tool-alerts.yml')

function findPromtool(): string | undefined {
  for (const p of [process.env.PROMTOOL, join(ROOT, '.cache/promtool')]) if (p && existsSync(p)) return p
  const r = spawnSync('sh', ['-c', 'command -v promtool'], {encoding: 'utf8'})
  return r.status === 0 ? r.stdout.trim() : undefined
}
const promtool = findPromtool()

type Rule = {alert?: string; expr?: unknown; for?: unknown; labels?: Record<string, unknown>; annotations?: Record<string, unknown>}

describe('alert rules example', () => {
  const doc = parse(readFileSync(RULES, 'utf8')) as {groups: Array<{name: string; rules: Rule[]}>}
  const rules = doc.groups.flatMap((g) => g.rules)

  it('has the four alerts the pair needs, each complete', () => {
    const names = rules.map((r) => r.alert)
    for (const want of ['HaToolNoMaster', 'HaToolTwoMasters', 'HaToolLeaseReplicationLag', 'HaToolHealthFailing']) assert.ok(names.includes(want), want)
    assert.equal(new Set(names).size, names.length, 'alert names are unique')
    for (const r of rules) {
      assert.match(String(r.alert), /^[A-Z][A-Za-z]+$/)
      assert.equal(typeof r.expr, 'string', `${r.alert}: expr`)
      assert.match(String(r.for), /^\d+[smh]$/, `${r.alert}: for`)
      assert.ok(['critical', 'warning'].includes(String(r.labels?.severity)), `${r.alert}: severity`)
      assert.ok(r.annotations?.summary && r.annotations.description, `${r.alert}: summary and description`)
    }
  })

  it('uses only metrics the daemon writes, and balanced PromQL', () => {
    const known = new Set(METRICS.map((m) => m.name))
    for (const r of rules) {
      const expr = String(r.expr)
      for (const name of expr.match(/\bha_tool_[a-z_]+/g) ?? []) assert.ok(known.has(name), `${r.alert}: ${name} is not a metric the daemon writes`)
      let depth = 0
      for (const ch of expr.replace(/"[^"]*"/g, '""')) {
        if ('({['.includes(ch)) depth++
        if (')}]'.includes(ch)) depth--
        assert.ok(depth >= 0, `${r.alert}: unbalanced ${expr}`)
      }
      assert.equal(depth, 0, `${r.alert}: unbalanced ${expr}`)
    }
  })

  it('promtool check rules and test rules pass', {skip: promtool ? undefined : 'promtool not found (PATH, $PROMTOOL, .cache/promtool): run scripts/install-system-deps; the rules were only checked structurally'}, () => {
    const check = spawnSync(promtool!, ['check', 'rules', RULES], {encoding: 'utf8'})
    assert.equal(check.status, 0, check.stdout + check.stderr)
    const test = spawnSync(promtool!, ['test', 'rules', 'ha-tool-alerts.test.yml'], {encoding: 'utf8', cwd: DIR})
    assert.equal(test.status, 0, test.stdout + test.stderr)
  })
})
