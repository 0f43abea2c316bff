import {assertOk, type Exec} from './exec.js'

/** The nftables table that silences the WAN of a node that is not MASTER (keep-up mode). */
export const SILENCE_TABLE = 'ha_tool_wan_silence'

/**
 * Both nodes hold the WAN address and the shared MAC; every frame a BACKUP sends (ARP
 * reply, DHCP renewal) teaches the upstream switch to deliver the MASTER's traffic to it,
 * and a stray packet it receives gets a reset. A netdev table with ingress and egress
 * chains on the WAN device drops all of it, below IP, before anything else sees it.
 */
export type WanSilence = {
  isApplied(): Promise<boolean>
  apply(dev: string): Promise<void>
  lift(): Promise<void>
}

export function createWanSilence(exec: Exec, nft = 'nft'): WanSilence {
  const timeoutMs = 5000
  return {
    async isApplied() {
      const r = await exec([nft, 'list', 'table', 'netdev', SILENCE_TABLE], {timeoutMs})
      if (r.code === 0) return true
      if (/No such file or directory/.test(r.stderr)) return false
      assertOk(r, `nft list table netdev ${SILENCE_TABLE}`)
      return false
    },
    async apply(dev) {
      // One transaction: the table is created with both chains or not at all. `add` then
      // `delete` then the real table makes it replace any older copy atomically.
      const script = [
        `add table netdev ${SILENCE_TABLE}`,
        `delete table netdev ${SILENCE_TABLE}`,
        `table netdev ${SILENCE_TABLE} {`,
        `  chain ingress { type filter hook ingress device ${JSON.stringify(dev)} priority -500; policy drop; }`,
        `  chain egress { type filter hook egress device ${JSON.stringify(dev)} priority -500; policy drop; }`,
        '}',
        '',
      ].join('\n')
      assertOk(await exec([nft, '-f', '-'], {timeoutMs, input: script}), `nft: silence ${dev}`)
    },
    async lift() {
      const r = await exec([nft, 'delete', 'table', 'netdev', SILENCE_TABLE], {timeoutMs})
      if (r.code === 0 || /No such file or directory/.test(r.stderr)) return
      assertOk(r, `nft delete table netdev ${SILENCE_TABLE}`)
    },
  }
}
