import type {Exec, ExecResult} from './exec.js'

/** The live reads `doctor` makes beyond files: the kernel's rules, the nftables ruleset, keepalived's own config test. */
export type DoctorProbes = {
  /** `ip -j rule show` (family 6: `ip -6 -j rule show`), parsed; throws when ip fails (a kernel without IPv6). */
  /** `ip -j -N rule show`: tables and protocols as numbers. */
  ipRules(family?: 4 | 6): Promise<IpRuleJson[]>
  /** `nft list ruleset`; undefined when nft failed. Throws when nft is not installed. */
  nftRuleset(): Promise<string | undefined>
  /** `keepalived -t -l -f FILE`: its exit code and messages (throws when keepalived is not installed). */
  keepalivedTest(file: string): Promise<ExecResult>
  /** `keepalived -v`'s text (it prints to stderr), for naming the version a verdict applies to. */
  keepalivedVersion(): Promise<string>
  /** `dnsmasq --version`'s text (throws when dnsmasq is not installed). */
  dnsmasqVersion(): Promise<string>
}

export type IpRuleJson = {priority?: number; iif?: string; table?: string; src?: string; [selector: string]: unknown}

export function createDoctorProbes(exec: Exec): DoctorProbes {
  // Both streams: keepalived prints its version to stderr, dnsmasq to stdout.
  const versionText = async (argv: string[]) => {
    const r = await exec(argv, {timeoutMs: 5000})
    return `${r.stdout}\n${r.stderr}`
  }
  return {
    ipRules: async (family) => {
      const r = await exec(['ip', ...(family === 6 ? ['-6'] : []), '-j', '-N', 'rule', 'show'], {timeoutMs: 5000})
      if (r.code !== 0) throw new Error(r.stderr.trim() || `ip exited ${r.code}`)
      return JSON.parse(r.stdout) as IpRuleJson[]
    },
    nftRuleset: async () => {
      const r = await exec(['nft', 'list', 'ruleset'], {timeoutMs: 5000})
      return r.code === 0 ? r.stdout : undefined
    },
    keepalivedTest: (file) => exec(['keepalived', '-t', '-l', '-f', file], {timeoutMs: 15000}),
    keepalivedVersion: () => versionText(['keepalived', '-v']),
    dnsmasqVersion: () => versionText(['dnsmasq', '--version']),
  }
}
