import type {ResyncResult} from '../../app/resync.js'

const LABEL: Record<string, string> = {
  'conntrackd.commit': '-c', 'conntrackd.flush': '-f', 'conntrackd.resync-kernel': '-R', 'conntrackd.bulk-send': '-B',
  'conntrackd.start': 'start', 'conntrackd.purge': '-t', 'conntrackd.request-resync': '-n', 'conntrackd.verify-sync': 'verify',
}

/** The sequence, one line per step; `enabled` is conntrackd.enabled (a note when transitions skip these steps). */
export function renderResync(r: ResyncResult, enabled: boolean): string {
  const from = r.roleFrom === 'flag' ? '--role' : r.stateFile
  const mode = r.mode ? `conntrackd ${r.mode}, external cache ${r.externalCache ? 'on' : 'off'}` : `conntrackd config ${r.conntrackdConfig} unreadable`
  const lines = [`resync for ${r.role} (role from ${from}); ${mode}`]
  if (r.steps.length === 0) lines.push(`  nothing to do: primary-backup.sh has no steps for ${r.role}`)
  for (const s of r.steps) {
    const text = s.status === 'failed' ? s.error : s.detail
    lines.push(`  ${s.status.padEnd(7)} ${(LABEL[s.kind] ?? s.kind).padEnd(6)} ${text ?? ''}`.trimEnd())
  }
  for (const w of r.warnings) lines.push(`  warning: ${w}`)
  if (!enabled) lines.push('  note: conntrackd.enabled is false, so transitions do not run these steps')
  return lines.join('\n')
}
