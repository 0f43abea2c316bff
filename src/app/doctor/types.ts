import type {DoctorProbes, Exec, Peer, RootedFs} from '../../ports.js'
import type {Config} from '../../config/schema.js'
import type {StateFile} from '../../core/transition/types.js'

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip'

/** One verdict: what was found, and when it is not a pass, the fix in one line. */
export type CheckResult = {id: string; title: string; status: CheckStatus; detail: string; fix?: string}

export type DoctorDeps = {
  config: Config
  /** The node's filesystem (under --root). */
  fs: RootedFs
  /** Runs the peer's commands over ssh (peer checks). */
  exec: Exec
  /** The peer port ([peer]); doctor's peer checks go through it. */
  peer?: Pick<Peer, 'ha' | 'destination' | 'fetch'>
  /** Live reads: ip rules, the nft ruleset, keepalived -t. */
  probes: DoctorProbes
  /** True when --root is `/`: live state (nft ruleset, sockets, the peer) may be read too. */
  live: boolean
  /** The last transition's state file, if any (read through fs). */
  state?: StateFile
  /** The config file this run checks, as the node names it (under --root: the path inside the root). */
  configPath?: string
}

export type Verdict = Omit<CheckResult, 'id' | 'title'>

/** One check: an id for --skip and --json, a title, and the test itself. */
export type DoctorCheck = {id: string; title: string; run(ctx: DoctorContextLike): Promise<Verdict> | Verdict}

// Declared here to avoid a cycle: context.ts implements it.
export type DoctorContextLike = import('./context.js').DoctorContext

export const pass = (detail: string): Verdict => ({status: 'pass', detail})
export const warn = (detail: string, fix: string): Verdict => ({status: 'warn', detail, fix})
export const fail = (detail: string, fix: string): Verdict => ({status: 'fail', detail, fix})
export const skip = (detail: string): Verdict => ({status: 'skip', detail})
