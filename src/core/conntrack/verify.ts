/**
 * Judging whether conntrackd did what it was asked. Its exit status is 0 for a commit it
 * skipped ("commit already in progress, skipping"), so the evidence is its log (exact counts)
 * or, without a LogFile, the kernel table's size against the external cache it committed.
 */
export type CommitLog = {committed?: number; failed?: number; skipped: boolean}

/** Reads the lines conntrackd appended during one `-c` (the last commit in them counts). */
export function parseCommitLog(text: string): CommitLog {
  const out: CommitLog = {skipped: false}
  for (const line of text.split('\n')) {
    if (/commit already in progress, skipping/.test(line)) { out.skipped = true; continue }
    const ok = /Committed (\d+) new entries/.exec(line)
    if (ok) { out.committed = Number(ok[1]); out.failed = 0; out.skipped = false; continue }
    const bad = /(\d+) entries can't be committed/.exec(line)
    if (bad) out.failed = Number(bad[1])
  }
  return out
}

export type CommitEvidence = {
  /** Entries in the external cache just before `-c` (from `-s`). */
  externalBefore?: number
  kernelBefore?: number
  kernelAfter?: number
  /** undefined when conntrackd has no LogFile ha-tool can read. */
  log?: CommitLog
}

export type CommitVerdict = {ok: boolean; how: 'log' | 'kernel-count' | 'empty' | 'none'; committed?: number; message: string}

export function judgeCommit(e: CommitEvidence): CommitVerdict {
  const kernel = e.kernelBefore !== undefined && e.kernelAfter !== undefined ? `; kernel table ${e.kernelBefore} -> ${e.kernelAfter}` : ''
  if (e.log?.skipped) {
    return {ok: false, how: 'log', message: 'conntrackd skipped the commit: another commit was in progress (it still exits 0)'}
  }
  if (e.log?.committed !== undefined) {
    const failed = e.log.failed ?? 0
    const of = e.externalBefore !== undefined ? ` of ${e.externalBefore} external` : ''
    if (failed > 0) return {ok: false, how: 'log', committed: e.log.committed, message: `committed ${e.log.committed}${of} entries, ${failed} could not be committed (see the conntrackd log)${kernel}`}
    return {ok: true, how: 'log', committed: e.log.committed, message: `committed ${e.log.committed}${of} entries${kernel}`}
  }
  if (e.externalBefore === 0) return {ok: true, how: 'empty', committed: 0, message: `nothing to commit: the external cache was empty${kernel}`}
  if (e.externalBefore === undefined || e.kernelAfter === undefined) {
    return {ok: false, how: 'none', message: 'commit not confirmed: no conntrackd log to read and no counts to compare (set LogFile in conntrackd.conf)'}
  }
  if (e.kernelAfter >= e.externalBefore) {
    return {ok: true, how: 'kernel-count', message: `external cache held ${e.externalBefore} entries${kernel} (counts only: set LogFile in conntrackd.conf for the exact number)`}
  }
  return {ok: false, how: 'kernel-count', message: `commit not confirmed: the external cache held ${e.externalBefore} entries but the kernel table has ${e.kernelAfter}`}
}

export type FailbackTolerance = {percent: number; absolute: number}

export type FailbackComparison = {
  verdict: 'in-sync' | 'behind'
  /** Flows this node holds from the peer (external cache, or the kernel table with DisableExternalCache). */
  local: number
  /** Flows the MASTER owns (its internal cache). */
  peer: number
  missing: number
  allowed: number
}

/**
 * A returning BACKUP is in sync when it holds the MASTER's flows, give or take the flows that
 * opened or closed while the counts were read (the tolerance).
 */
export function compareFailback(local: number, peer: number, tol: FailbackTolerance): FailbackComparison {
  const allowed = Math.max(tol.absolute, Math.ceil((peer * tol.percent) / 100))
  const missing = Math.max(0, peer - local)
  return {verdict: missing <= allowed ? 'in-sync' : 'behind', local, peer, missing, allowed}
}
