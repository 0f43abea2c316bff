import {usageError} from '../../core/errors.js'
import {CHECKS} from './checks.js'
import {DoctorContext} from './context.js'
import type {CheckResult, CheckStatus, DoctorDeps} from './types.js'

export type DoctorReport = {ok: boolean; root: string; counts: Record<CheckStatus, number>; checks: CheckResult[]}

/**
 * Runs every check (but those in `skip`) and collects the verdicts. A check that throws is a
 * fail naming the exception, so one broken check never hides the others.
 */
export async function runDoctor(deps: DoctorDeps, skipIds: readonly string[] = []): Promise<DoctorReport> {
  const known = new Set(CHECKS.map((c) => c.id))
  const unknown = skipIds.filter((id) => !known.has(id))
  if (unknown.length > 0) throw usageError(`unknown check ${unknown.map((u) => JSON.stringify(u)).join(', ')}`, `known: ${[...known].join(', ')}`)
  const ctx = new DoctorContext(deps)
  const checks: CheckResult[] = []
  for (const check of CHECKS) {
    if (skipIds.includes(check.id)) { checks.push({id: check.id, title: check.title, status: 'skip', detail: 'skipped (--skip or doctor.skip)'}); continue }
    try {
      checks.push({id: check.id, title: check.title, ...await check.run(ctx)})
    } catch (error) {
      checks.push({id: check.id, title: check.title, status: 'fail', detail: `the check itself failed: ${(error as Error).message}`, fix: 'report this as a bug'})
    }
  }
  const counts: Record<CheckStatus, number> = {pass: 0, warn: 0, fail: 0, skip: 0}
  for (const c of checks) counts[c.status]++
  return {ok: counts.fail === 0, root: deps.fs.root, counts, checks}
}
