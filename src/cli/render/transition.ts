import type {TransitionResult} from '../../app/handle-transition.js'

/** Human summary of a transition: one line, then a line per step. */
export function renderTransition(r: TransitionResult): string {
  if (!r.applied) return `${r.role}: not applied, a later keepalived event already was`
  if (r.steps.length === 0) return `${r.role}: already converged`
  const head = `${r.role}${r.previousRole && r.previousRole !== r.role ? ` (was ${r.previousRole})` : ''}: ${r.steps.filter((s) => s.status === 'ok').length}/${r.steps.length} steps ok in ${r.durationMs.toFixed(1)} ms`
  const lines = r.steps.map((s) => `  ${s.status === 'ok' ? 'ok  ' : s.status === 'failed' ? 'FAIL' : 'skip'} ${s.kind.padEnd(14)} ${s.why}${s.detail ? ` (${s.detail})` : ''}${s.error ? `: ${s.error}` : ''}`)
  return [head, ...lines].join('\n')
}
