import {SILENCE_TABLE, type SilenceState, silenceState, silenceTableScript} from '../core/nft/silence.js'
import {parseNftRuleset} from '../core/parse/nft-ruleset.js'
import {HaError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {assertOk, type Exec} from './exec.js'
import type {LineSession} from './line-session.js'

/** The nftables table that silences the WAN of a node that is not MASTER (keep-up mode). */
export {SILENCE_TABLE} from '../core/nft/silence.js'

/**
 * Both nodes hold the WAN address and the shared MAC; every frame a BACKUP sends (ARP
 * reply, DHCP renewal) teaches the upstream switch to deliver the MASTER's traffic to it, and
 * a stray packet it receives gets a reset. A netdev table on the WAN device drops all of it,
 * below IP, before anything else sees it (layout and timings: core/nft/silence.ts).
 */
export type WanSilence = {
  isApplied(dev: string): Promise<boolean>
  apply(dev: string): Promise<void>
  lift(): Promise<void>
}

/** session: the daemon's resident `nft -i` (line-session.ts) for one-line changes; nft is started per change without it. */
export function createWanSilence(exec: Exec, nft = 'nft', session?: LineSession): WanSilence {
  const timeoutMs = 5000
  // The state read to plan is reused to act, so a transition runs nft once to look.
  let known: SilenceState | undefined
  const read = async (): Promise<SilenceState> => {
    const r = await exec([nft, 'list', 'table', 'netdev', SILENCE_TABLE], {timeoutMs})
    if (r.code !== 0 && /No such file or directory/.test(r.stderr)) return (known = {present: false})
    assertOk(r, `nft list table netdev ${SILENCE_TABLE}`)
    return (known = silenceState(parseNftRuleset(r.stdout), SILENCE_TABLE))
  }
  const run = async (script: string, what: string) => {
    known = undefined
    const line = script.trim()
    if (session && !line.includes('\n')) {
      try {
        await session.run(line, timeoutMs)
        return
      } catch (error) {
        // nft refused the command: that is the answer. The session broke: nft once, as without it.
        if (!(error instanceof HaError && error.kind === 'session')) throw new HaError(`${what}: ${(error as Error).message}`, ExitCode.FAILED)
      }
    }
    assertOk(await exec([nft, '-f', '-'], {timeoutMs, input: script}), what)
  }
  return {
    async isApplied(dev) {
      const s = await read()
      return s.present && s.silenced && s.device === dev
    },
    async apply(dev) {
      const s = known ?? await read()
      if (s.present && s.hasGate && s.device === dev) await run(`flush chain netdev ${SILENCE_TABLE} gate\n`, `nft: silence ${dev}`)
      else await run(silenceTableScript(SILENCE_TABLE, dev), `nft: silence ${dev}`)
    },
    async lift() {
      const s = known ?? await read()
      if (!s.present || !s.silenced) return
      if (s.hasGate) await run(`add rule netdev ${SILENCE_TABLE} gate accept\n`, 'nft: lift the WAN silence')
      else await run(`delete table netdev ${SILENCE_TABLE}\n`, 'nft: lift the WAN silence') // an older layout without a gate
    },
  }
}
