/**
 * Judging `keepalived -t -l -f FILE` (its config test) on its exit status AND what it printed,
 * not on one message. Exit statuses and messages below were seen from keepalived 2.2.7 (Debian
 * 12), run in a network namespace on good and broken files:
 *   0  no error (a missing notify script is NOT reported: -t does not check notify scripts)
 *   5  config errors: "Unknown keyword 'x'", "number '300' outside range [1, 255]", "There are 1
 *      missing '}'s or extra '{'s", "Disabling track script c since not found/accessible"
 *   6  "SECURITY VIOLATION - scripts are being executed but script_security not enabled."
 *      (the man page and newer sources say 5: an extra PROGRAM_ERROR code shifted the enum in 2.2.7)
 * Pure.
 */
export const CONFIG_TEST_TESTED = ['2.2.7'] as const

const EXIT_MEANING: Record<string, Record<number, string>> = {
  '2.2.7': {0: 'no errors', 5: 'configuration errors', 6: 'script security violation'},
}

export type FindingKind = 'security' | 'missing-script' | 'interface' | 'unknown-keyword' | 'invalid-value' | 'syntax' | 'other'
export type Finding = {kind: FindingKind; line?: number; text: string}

const KINDS: Array<[FindingKind, RegExp]> = [
  ['security', /SECURITY VIOLATION/],
  ['missing-script', /not found\/accessible|Disabling .* since not found/i],
  ['interface', /doesn't exist|Non-existent interface|Unknown interface|cannot use a loopback interface|does not support multicast/i],
  ['unknown-keyword', /Unknown keyword/i],
  ['invalid-value', /outside range|not valid|invalid/i],
  ['syntax', /missing '\}'s|extra '\{'s|must be set/i],
]

/** Each non-empty output line as a finding, with its config line number when keepalived gave one. */
export function parseConfigTestOutput(text: string): Finding[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
    const at = /\(.*: Line (\d+)\)/.exec(line)
    const kind = KINDS.find(([, re]) => re.test(line))?.[0] ?? 'other'
    return {kind, text: line, ...(at ? {line: Number(at[1])} : {})}
  })
}

/** "2.2.7" from `keepalived -v` ("Keepalived v2.2.7 (01/16,2022)"). */
export function parseKeepalivedVersion(text: string): string | undefined {
  return /Keepalived v(\d+\.\d+\.\d+)/.exec(text)?.[1]
}

export type ConfigTestVerdict = {status: 'pass' | 'warn' | 'fail'; kind?: FindingKind; detail: string}

export function judgeConfigTest(r: {code: number | null; output: string; version?: string; live: boolean}): ConfigTestVerdict {
  const findings = parseConfigTestOutput(r.output)
  const known = r.version && r.version in EXIT_MEANING ? r.version : undefined
  const meaning = r.code === null ? 'killed' : EXIT_MEANING[known ?? CONFIG_TEST_TESTED[0]][r.code] ?? 'unknown status'
  const who = `keepalived ${r.version ?? '(version unknown)'} -t: exit ${r.code} (${meaning}${known ? '' : `, as keepalived ${CONFIG_TEST_TESTED.join('/')} means it`})`
  const first = (k?: FindingKind) => findings.find((f) => !k || f.kind === k)
  if (r.code === 0) {
    if (findings.length === 0) return {status: 'pass', detail: `${who}, nothing reported`}
    return {status: 'warn', kind: findings[0].kind, detail: `${who}, but it reported: ${findings.map((f) => f.text).join('; ')}`}
  }
  for (const k of ['security', 'missing-script', 'syntax', 'unknown-keyword', 'invalid-value', 'other'] as const) {
    const f = first(k)
    if (f) return {status: 'fail', kind: k, detail: `${who}: ${f.text}${findings.length > 1 ? ` (+${findings.length - 1} more)` : ''}`}
  }
  const iface = first('interface')
  if (iface) return {status: r.live ? 'fail' : 'warn', kind: 'interface', detail: `${who}: ${iface.text}${r.live ? '' : ' (expected when checking a copy under --root)'}`}
  return {status: 'fail', detail: `${who} and printed nothing`}
}
