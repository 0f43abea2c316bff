import type {Exec, ExecResult} from './exec.js'

/** The live reads `doctor` makes beyond files: the kernel's rules, the nftables ruleset, keepalived's own config test. */
export type DoctorProbes = {
  /** `ip -j rule show`, parsed. */
  ipRules(): Promise<Array<{priority?: number; iif?: string; table?: string}>>
  /** `nft list ruleset`; undefined when nft failed. Throws when nft is not installed. */
  nftRuleset(): Promise<string | undefined>
  /** `keepalived -t -l -f FILE`: its exit code and messages (throws when keepalived is not installed). */
  keepalivedTest(file: string): Promise<ExecResult>
}

export function createDoctorProbes(exec: Exec): DoctorProbes {
  return {
    ipRules: async () => JSON.parse((await exec(['ip', '-j', 'rule', 'show'], {timeoutMs: 5000})).stdout) as Array<{priority?: number; iif?: string; table?: string}>,
    nftRuleset: async () => {
      const r = await exec(['nft', 'list', 'ruleset'], {timeoutMs: 5000})
      return r.code === 0 ? r.stdout : undefined
    },
    keepalivedTest: (file) => exec(['keepalived', '-t', '-l', '-f', file], {timeoutMs: 15000}),
  }
}
