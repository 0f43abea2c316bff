import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {legacyRuleDeletes} from '../../../src/core/iproute/legacy-rules.js'
import {countWanRules, observeWan, observeWan6} from '../../../src/core/iproute/wan-state.js'
import {planTransition, type WanPlanConfig} from '../../../src/core/transition/plan.js'
import type {ObservedWan, Role, Step} from '../../../src/core/transition/types.js'

// An upgrade from a version that added its WAN rules without protocol: the kernel keeps that rule
// (protocol unspec) beside the new one (protocol wan.rule_protocol). Each case is a rule set as
// `ip -j -N rule show` lists it; a model of the kernel runs the plan (the kernel appends an added
// rule after those of its priority; `ip rule del priority P lookup T protocol X` deletes the first
// rule at P and T with protocol X, and protocol 0 matches any), then the result is checked.

type KRule = {priority: number; src?: string; table: string; protocol?: string; iif?: string}
const P = 32770
const T = '250'
const WAN: WanPlanConfig = {interface: 'wan0', table: 250, rule_priority: P, rule_protocol: 73, ipv6: true, dhcpv6: false, link: 'keep-up', link_via: 'netlink', renew: 'none', silence: 'nftables', up_timeout_ms: 8000, network_file: ''}
const rule = (protocol?: number, more: Partial<KRule> = {}): KRule => ({priority: P, src: 'all', table: T, ...(protocol === undefined ? {} : {protocol: String(protocol)}), ...more})
const OWN = rule(73)
const UNSPEC = rule()
const BOOT = rule(3)
const STATIC = rule(4) // networkd's, or a user's by hand
const KEEPALIVED = rule(18)
const UNSPEC_IIF = rule(undefined, {iif: 'lo'}) // another selector: not ha-tool's
const KERNEL = [{priority: 0, src: 'all', table: '255'}, {priority: 32766, src: 'all', table: '254'}, {priority: 32767, src: 'all', table: '253'}]
const ELSEWHERE = [rule(undefined, {priority: P + 1}), rule(undefined, {table: '251'}), rule(73, {priority: 100})] // other priority or table: foreign, whatever the protocol

const protocolOf = (r: KRule) => Number(r.protocol ?? 0)
const same = (a: KRule, b: KRule) => JSON.stringify(a) === JSON.stringify(b)

function kernelAdd(rules: KRule[], r: KRule): KRule[] {
  if (rules.some((x) => same(x, r))) return rules // EEXIST, converged
  let at = 0
  rules.forEach((x, i) => { if (x.priority <= r.priority) at = i + 1 })
  return [...rules.slice(0, at), r, ...rules.slice(at)]
}

function kernelDel(rules: KRule[], protocol: number): KRule[] {
  const i = rules.findIndex((x) => x.priority === P && x.table === T && (protocol === 0 || protocolOf(x) === protocol))
  return i === -1 ? rules : rules.filter((_, k) => k !== i) // ENOENT, converged
}

function run(steps: Step[], kernel: {4: KRule[]; 6: KRule[]}): {4: KRule[]; 6: KRule[]} {
  const k = {...kernel}
  for (const s of steps) {
    if (s.kind === 'rule.add') k[s.args.family] = kernelAdd(k[s.args.family], rule(s.args.protocol))
    if (s.kind === 'rule.del') for (let n = 0; n < s.args.count; n++) k[s.args.family] = kernelDel(k[s.args.family], s.args.protocol)
  }
  return k
}

function observe(kernel: {4: KRule[]; 6: KRule[]}): ObservedWan {
  const wanRule = {table: 250, priority: P, protocol: 73}
  const v4 = observeWan({rules: kernel[4], routes: [{dst: 'default'}], addr: [{flags: ['UP', 'LOWER_UP'], addr_info: [{family: 'inet', local: '198.51.100.10', scope: '0'}]}], silenced: false}, wanRule)
  return {...v4, ...observeWan6({rules: kernel[6], routes: []}, wanRule)}
}

const ruleSteps = (steps: Step[]) => steps.filter((s) => s.kind === 'rule.add' || s.kind === 'rule.del')

// [rules at P and T in the kernel's order, those of them that must stay on MASTER besides one of ha-tool's, on BACKUP]
const CASES: Array<[string, KRule[], KRule[], KRule[]]> = [
  ['the upgrade: only the rule without protocol', [UNSPEC], [], []],
  ['the upgrade after one new MASTER run: unspec, then ours', [UNSPEC, OWN], [], []],
  ['two copies without protocol', [UNSPEC, UNSPEC], [], []],
  ['boot, the other ownerless protocol', [BOOT, OWN], [], []],
  ['ours before the unspec one: on MASTER a delete by protocol 0 would take ours', [OWN, UNSPEC], [UNSPEC], []],
  ['a foreign rule after the unspec one stays', [UNSPEC, STATIC], [STATIC], [STATIC]],
  ['a foreign rule before the unspec one: the unspec one cannot go alone', [STATIC, UNSPEC], [STATIC, UNSPEC], [STATIC, UNSPEC]],
  ['boot behind a foreign rule goes by its own protocol', [KEEPALIVED, BOOT], [KEEPALIVED], [KEEPALIVED]],
  ['unspec with another selector is not ha-tool\'s, and blocks the unspec one behind it', [UNSPEC_IIF, UNSPEC], [UNSPEC_IIF, UNSPEC], [UNSPEC_IIF, UNSPEC]],
  ['only foreign look-alikes', [STATIC, KEEPALIVED], [STATIC, KEEPALIVED], [STATIC, KEEPALIVED]],
  ['duplicates of ours and an unspec one between them', [OWN, UNSPEC, OWN], [], []],
  ['nothing there', [], [], []],
]

describe('ha-tool\'s earlier WAN rules (no protocol) are converged like its own', () => {
  for (const [name, atSlot, keepMaster, keepBackup] of CASES) {
    for (const role of ['MASTER', 'BACKUP', 'FAULT', 'STOP'] as Role[]) {
      it(`${role}: ${name}`, () => {
        // The same set for IPv4 and, reversed where that matters, for IPv6: each family on its own.
        const six = [...atSlot].reverse()
        const kernel = {4: [...KERNEL.slice(0, 1), ...atSlot, ...ELSEWHERE, ...KERNEL.slice(1)], 6: [...six, ...ELSEWHERE]}
        const steps = planTransition({role, wan: WAN, observed: observe(kernel)})
        const after = run(steps, kernel)
        for (const [family, before, rulesAtStart] of [[4, kernel[4], atSlot], [6, kernel[6], six]] as const) {
          const at = after[family].filter((r) => r.priority === P && r.table === T)
          const own = at.filter((r) => same(r, OWN)).length
          const keep = role === 'MASTER' ? keepMaster : keepBackup
          // What must stay stays, in its order; nothing else but ha-tool's one rule on MASTER.
          const expected = family === 6 && role === 'MASTER' ? keepFor6(rulesAtStart) : family === 6 ? keepBackupFor6(rulesAtStart) : keep
          assert.deepEqual(at.filter((r) => !same(r, OWN)), expected, `IPv${family} ${JSON.stringify(at)}`)
          assert.equal(own, role === 'MASTER' ? 1 : 0, `IPv${family}: ha-tool's rule on ${role}`)
          // Rules elsewhere (other priority or table) and the kernel's are never touched.
          assert.deepEqual(after[family].filter((r) => !(r.priority === P && r.table === T)), before.filter((r) => !(r.priority === P && r.table === T)))
        }
        // Converged: planning again against the result plans no rule change.
        assert.deepEqual(ruleSteps(planTransition({role, previousRole: role, wan: WAN, observed: observe(after)})), [])
      })
    }
  }

  /** IPv6 runs the reversed set: what stays is worked out the same way by the cases' rules. */
  function keepFor6(set: KRule[]): KRule[] {
    return expectedStay(set, true)
  }
  function keepBackupFor6(set: KRule[]): KRule[] {
    return expectedStay(set, false)
  }
  /**
   * The rules that stay, by the documented rule (independent of legacy-rules.ts): named protocols
   * and other selectors always; an ownerless plain rule only when a delete by its protocol would
   * first meet a rule that must stay (or, on MASTER, ha-tool's kept rule).
   */
  function expectedStay(set: KRule[], master: boolean): KRule[] {
    let rules = [...set]
    const ownCount = rules.filter((r) => same(r, OWN)).length
    if (master && ownCount === 0) rules.push(OWN)
    for (let n = 0; n < (master ? Math.max(0, ownCount - 1) : ownCount); n++) rules.splice(rules.findIndex((r) => same(r, OWN)), 1)
    const ownerless = (r: KRule) => r.src === 'all' && r.iif === undefined && [0, 3].includes(protocolOf(r))
    for (let changed = true; changed;) {
      changed = false
      for (const target of rules.filter(ownerless)) {
        const hit = rules.find((r) => protocolOf(target) === 0 || protocolOf(r) === protocolOf(target))!
        if (ownerless(hit)) {
          rules = rules.filter((r) => r !== hit)
          changed = true
          break
        }
      }
    }
    return rules.filter((r) => !same(r, OWN))
  }

  it('the table\'s own expectations agree with the rule for IPv4', () => {
    for (const [name, atSlot, keepMaster, keepBackup] of CASES) {
      assert.deepEqual(expectedStay(atSlot, true), keepMaster, `MASTER: ${name}`)
      assert.deepEqual(expectedStay(atSlot, false), keepBackup, `BACKUP: ${name}`)
    }
  })

  it('MASTER adds its rule before the earlier one goes (never a moment without a WAN rule)', () => {
    const kernel = {4: [UNSPEC], 6: [UNSPEC]}
    const steps = ruleSteps(planTransition({role: 'MASTER', wan: WAN, observed: observe(kernel)}))
    assert.deepEqual(steps.map((s) => [s.kind, s.args.family, s.args.protocol, s.concurrent ?? false]), [
      ['rule.add', 4, 73, false], ['rule.add', 6, 73, true], ['rule.del', 4, 0, false], ['rule.del', 6, 0, false],
    ])
    assert.match(steps[2].why, /replace 1 earlier ha-tool WAN rule without protocol \(proto unspec\) by the one with protocol 73/)
  })

  it('BACKUP removes its own copies before the earlier ones (the kernel then meets those first)', () => {
    const steps = ruleSteps(planTransition({role: 'BACKUP', wan: WAN, observed: observe({4: [OWN, UNSPEC], 6: []})}))
    assert.deepEqual(steps.map((s) => [s.kind, s.args.family, s.args.protocol, s.kind === 'rule.del' ? s.args.count : 0]), [['rule.del', 4, 73, 1], ['rule.del', 4, 0, 1]])
    assert.match(steps[1].why, /stop routing through the WAN: 1 earlier ha-tool WAN rule without protocol/)
  })

  it('IPv6 earlier rules are left alone when IPv6 rules are not converged (wan.ipv6 = false)', () => {
    const kernel = {4: [], 6: [UNSPEC]}
    const steps = planTransition({role: 'BACKUP', wan: {...WAN, ipv6: false}, observed: observe(kernel)})
    assert.deepEqual(ruleSteps(steps), [])
  })

  it('legacyRuleDeletes: the delete commands and what is stuck', () => {
    const s = (...r: Array<[number, boolean]>) => r.map(([protocol, plain]) => ({protocol, plain}))
    assert.deepEqual(legacyRuleDeletes(s([0, true], [73, true]), 73, true), {protocols: [0], stuck: 0})
    assert.deepEqual(legacyRuleDeletes(s([73, true], [0, true]), 73, true), {protocols: [], stuck: 1})
    assert.deepEqual(legacyRuleDeletes(s([73, true], [0, true]), 73, false), {protocols: [0], stuck: 0})
    assert.deepEqual(legacyRuleDeletes(s([4, true], [0, true], [3, true]), 73, false), {protocols: [3], stuck: 1})
    assert.deepEqual(legacyRuleDeletes(s([3, true], [0, true]), 73, false), {protocols: [3, 0], stuck: 0})
    // A site that chose protocol 3 (boot) for ha-tool: boot is its own, unspec still earlier.
    assert.deepEqual(legacyRuleDeletes(s([0, true], [3, true]), 3, true), {protocols: [0], stuck: 0})
    assert.equal(countWanRules([rule(3)], {table: 250, priority: P, protocol: 3}), 1)
  })
})
