import type {DoctorReport} from '../../app/doctor/run.js'
import type {CheckStatus} from '../../app/doctor/types.js'

const MARK: Record<CheckStatus, string> = {pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP'}

/** One line per check, its fix on the next line. */
export function renderDoctorReport(report: DoctorReport): string {
  const lines = report.checks.flatMap((c) => [`${MARK[c.status]}  ${c.id}: ${c.detail}`, ...(c.fix && c.status !== 'pass' ? [`      fix: ${c.fix}`] : [])])
  const {pass, warn, fail, skip} = report.counts
  lines.push('', `${pass} passed, ${warn} warnings, ${fail} failed, ${skip} skipped${report.root === '/' ? '' : ` (root ${report.root})`}`)
  return lines.join('\n')
}
