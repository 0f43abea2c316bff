import {delegatedPrefixes, observeWan, observeWan6, splitBatchJson, wanAddresses} from '../core/iproute/wan-state.js'
import {type LanPrefixConfig, observeLanPrefix} from '../core/transition/lan-prefix.js'
import type {ObservedWan, RuleFamily, WanRule} from '../core/transition/types.js'
import {HaError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {assertOk, type Exec} from './exec.js'
import type {LineSession} from './line-session.js'

const IP_TIMEOUT_MS = 5000

export type WanSnapshot = {observed: Omit<ObservedWan, 'silenced'>; addresses: string[]}

/**
 * iproute2, always through `ip` (no shell). Reading the WAN state is one process:
 * `ip -j -N -force -batch -` prints one JSON array per command (rules, default routes,
 * the WAN's link and addresses); -force keeps going when the device is missing.
 */
export type IpRoute = {
  /**
   * ipv6: also read the IPv6 rules and default routes (a second `ip -6` process, in parallel);
   * lan6: and, in that same process, the delegated LAN prefix and ha-tool's addresses on the IPv6 VMAC.
   */
  readWan(dev: string, rule: WanRule, ipv6?: boolean, lan6?: LanPrefixConfig): Promise<WanSnapshot>
  /** Adds ha-tool's rule; one that exists already (EEXIST: the same rule, protocol included) is success. */
  ruleAdd(rule: WanRule, family?: RuleFamily): Promise<void>
  /** Deletes one copy of ha-tool's rule (matched on its protocol too); none left (ENOENT) is success. */
  ruleDel(rule: WanRule, family?: RuleFamily): Promise<void>
  /** The IPv6 prefixes delegated to this node by DHCPv6 (the unreachable routes networkd keeps for them). */
  delegatedPrefixes(): Promise<string[]>
  linkSet(dev: string, state: 'up' | 'down'): Promise<void>
  /** `ip -j -d addr show`: every link with its kind and addresses. */
  addresses(): Promise<unknown[]>
  addrDel(address: string, dev: string): Promise<void>
  /** An address with no expiry, no DAD and no prefix route (`ip addr replace ... nodad noprefixroute`): converged if there. */
  addrReplace(address: string, dev: string): Promise<void>
  linkDel(dev: string): Promise<void>
}

/** sessions: the daemon's resident `ip -batch` per family (line-session.ts) for rule changes; ip is started per change without them. */
export function createIpRoute(exec: Exec, ip = 'ip', sessions?: {4: LineSession; 6: LineSession}): IpRoute {
  const run = async (args: string[]) => { assertOk(await exec([ip, ...args], {timeoutMs: IP_TIMEOUT_MS})) }
  const ruleChange = async (family: RuleFamily | undefined, args: string[]) => {
    const session = sessions?.[family === 6 ? 6 : 4]
    if (session) {
      try {
        await session.run(args.join(' '), IP_TIMEOUT_MS)
        return
      } catch (error) {
        // ip refused the change: that is the answer. The session broke: ip once, as without it.
        if (!(error instanceof HaError && error.kind === 'session')) throw new HaError(`${[ip, ...fam(family), ...args].join(' ')}: ${(error as Error).message}`, ExitCode.FAILED)
      }
    }
    await run([...fam(family), ...args])
  }
  // A batch cannot switch the address family per line, so IPv6 is a second process.
  const read6 = async (rule: WanRule, lan6?: LanPrefixConfig) => {
    // The delegated prefixes always (the MASTER's DHCP restart depends on them); the addresses only for lan6.
    const r = await exec([ip, '-6', '-j', '-N', '-force', '-batch', '-'], {timeoutMs: IP_TIMEOUT_MS, input: `rule show\nroute show table all default\nroute show table all type unreachable proto dhcp\n${lan6 ? 'addr show\n' : ''}`})
    if (r.timedOut || r.signal) assertOk(r)
    const arrays = splitBatchJson(r.stdout)
    // A kernel without IPv6 (ipv6.disable=1) answers "Address family not supported": nothing to converge.
    if (arrays.length < 2 && /not supported/i.test(r.stderr)) return {}
    if (arrays.length < 2) assertOk({...r, code: r.code || 1}, 'ip -6 -j rule/route show')
    const six = {
      ...observeWan6({rules: arrays[0] as never[], routes: arrays[1] as never[]}, rule),
      // Every route the command listed is an unreachable one of proto dhcp (-N may print the type as a number).
      ...(arrays.length >= 3 ? {delegated6: delegatedPrefixes((arrays[2] as Array<{dst?: string}>).map((x) => ({...x, type: 'unreachable'})))} : {}),
    }
    return lan6 && arrays.length >= 4 ? {...six, lan6: observeLanPrefix(arrays[3] as never[], arrays[2] as never[], lan6)} : six
  }
  const fam = (family: RuleFamily | undefined) => (family === 6 ? ['-6'] : [])
  // With the protocol in the rule, EEXIST on add and ENOENT on del can only mean ha-tool's own rule is
  // already as wanted (a concurrent hook got there first): converged, not failed.
  const ruleOp = async (op: 'add' | 'del', rule: WanRule, family: RuleFamily | undefined, converged: RegExp) => {
    try {
      await ruleChange(family, ['rule', op, 'priority', String(rule.priority), 'lookup', String(rule.table), 'protocol', String(rule.protocol)])
    } catch (error) {
      if (!(error instanceof HaError && error.kind !== 'session' && converged.test(error.message))) throw error
    }
  }
  return {
    async readWan(dev, rule, ipv6 = false, lan6) {
      // `route show table <t>` fails while the table does not exist yet (no lease so far), which
      // would shift the arrays; the default routes of all tables never fail. The device, which
      // may be missing, comes last for the same reason.
      const [r, six] = await Promise.all([
        exec([ip, '-j', '-N', '-force', '-batch', '-'], {timeoutMs: IP_TIMEOUT_MS, input: `rule show\nroute show table all default\naddr show dev ${dev}\n`}),
        ipv6 ? read6(rule, lan6) : undefined,
      ])
      if (r.timedOut || r.signal) assertOk(r)
      const arrays = splitBatchJson(r.stdout)
      if (arrays.length < 2) assertOk({...r, code: r.code || 1}, 'ip -j rule/route show')
      const [rules, allDefaults, addr] = arrays as [never[], Array<{table?: string}>, never[] | undefined]
      const routes = allDefaults.filter((r) => String(r.table) === String(rule.table)) as never[]
      const {silenced: _, ...observed} = observeWan({rules, routes, addr, silenced: false}, rule)
      return {observed: {...observed, ...six}, addresses: wanAddresses(addr)}
    },
    ruleAdd: (rule, family) => ruleOp('add', rule, family, /File exists/),
    ruleDel: (rule, family) => ruleOp('del', rule, family, /No such file or directory/),
    delegatedPrefixes: async () => delegatedPrefixes(JSON.parse(assertOk(await exec([ip, '-6', '-j', 'route', 'show', 'table', 'all', 'type', 'unreachable', 'proto', 'dhcp'], {timeoutMs: IP_TIMEOUT_MS})).stdout || '[]') as never[]),
    linkSet: (dev, state) => run(['link', 'set', 'dev', dev, state]),
    addresses: async () => JSON.parse(assertOk(await exec([ip, '-j', '-d', 'addr', 'show'], {timeoutMs: IP_TIMEOUT_MS})).stdout) as unknown[],
    addrDel: (address, dev) => run(['addr', 'del', address, 'dev', dev]),
    addrReplace: (address, dev) => run(['addr', 'replace', address, 'dev', dev, 'nodad', 'noprefixroute']),
    linkDel: (dev) => run(['link', 'del', 'dev', dev]),
  }
}
