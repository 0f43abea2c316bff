import type {NftTable} from '../parse/nft-ruleset.js'

/** The netdev table that silences the WAN on a keep-up BACKUP. */
export const SILENCE_TABLE = 'ha_tool_wan_silence'

/**
 * The WAN silence table: netdev base chains on the WAN device (ingress and egress) that jump
 * to a `gate` chain and drop whatever the gate did not accept. Silenced = the gate is empty;
 * open = the gate holds an `accept`. Opening is adding one rule (~4 ms: the kernel frees
 * nothing); deleting the table or a rule waits for an RCU grace period (~15 ms), which is
 * fine on the way to BACKUP and too slow on the way to MASTER.
 */
export type SilenceState =
  | {present: false}
  | {present: true; device: string | undefined; hasGate: boolean; silenced: boolean}

export function silenceState(tables: readonly NftTable[], name: string): SilenceState {
  const t = tables.find((x) => x.family === 'netdev' && x.name === name)
  if (!t) return {present: false}
  const gate = t.chains.find((c) => c.name === 'gate')
  const open = gate?.rules.some((r) => r.trim() === 'accept') ?? false
  return {present: true, device: t.chains.find((c) => c.hook)?.device, hasGate: gate !== undefined, silenced: !open}
}

/** The whole table, silenced (nft -f input); replaces any older copy in one transaction. */
export function silenceTableScript(name: string, dev: string): string {
  const d = JSON.stringify(dev)
  return [
    `add table netdev ${name}`,
    `delete table netdev ${name}`,
    `table netdev ${name} {`,
    `  chain ingress { type filter hook ingress device ${d} priority -500; policy accept; jump gate; drop; }`,
    `  chain egress { type filter hook egress device ${d} priority -500; policy accept; jump gate; drop; }`,
    '  chain gate { }',
    '}',
    '',
  ].join('\n')
}
