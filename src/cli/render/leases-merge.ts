import type {MergeFilesResult} from '../../app/leases/merge-files.js'
import {renderMergeReport} from '../../core/leases/render.js'

/** leases merge's result: with -o the report; without, the merged file as `database` too. */
export type MergeCommandResult = Omit<MergeFilesResult, 'bytes'> & {database?: string}

/** Without -o: the merged file itself (its final newline comes from the printer). With -o: the report. */
export function renderLeasesMerge(r: MergeCommandResult): string {
  if (r.database !== undefined) return r.database.endsWith('\n') ? r.database.slice(0, -1) : r.database
  const n = r.inputs.length
  return renderMergeReport(r.report, `merged ${n} file${n === 1 ? '' : 's'}${r.output ? ` into ${r.output}` : ''}`)
}
