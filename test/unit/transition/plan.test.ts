import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {countLookAlikeWanRules, countWanRules, delegatedPrefixes, observeWan, observeWan6, splitBatchJson} from '../../../src/core/iproute/wan-state.js'
import {conntrackSteps} from '../../../src/core/conntrack/plan.js'
import {planTransition, type WanPlanConfig} from '../../../src/core/transition/plan.js'
import type {ObservedWan, Role, Step, StepArgs, StepKind} from '../../../src/core/transition/types.js'

const WAN: WanPlanConfig = {interface: 'wan0', table: 250, rule_priority: 32770, rule_protocol: 73, ipv6: false, dhcpv6: false, link: 'keep-up', link_via: 'netlink', renew: 'none', silence: 'nftables', up_timeout_ms: 8000, network_file: ''}
const READY: ObservedWan = {ruleCount: 0, link: {exists: true, adminUp: true, carrier: true}, hasAddress: true, hasDefaultRoute: true, silenced: false}
const kinds = (steps: Step[]) => steps.map((s) => s.kind)
/** The args of a step that must be of kind k. */
function argsOf<K extends StepKind>(step: Step, k: K): StepArgs[K] {
  assert.equal(step.kind, k)
  return step.args as StepArgs[K]
}

/** What a step does to the observed state, to check that planning against the result plans nothing. */
function apply(o: ObservedWan, steps: Step[]): ObservedWan {
  const n = structuredClone(o)
  for (const s of steps) {
    if (s.kind === 'rule.add' && s.args.family === 4) n.ruleCount++
    if (s.kind === 'rule.del' && s.args.family === 4) n.ruleCount -= s.args.count
    if (s.kind === 'rule.add' && s.args.family === 6) n.rule6Count! ++
    if (s.kind === 'rule.del' && s.args.family === 6) n.rule6Count! -= s.args.count
    if (s.kind === 'silence.apply') n.silenced = true
    if (s.kind === 'silence.lift') n.silenced = false
    if (s.kind === 'link.up') n.link.adminUp = true
    if (s.kind === 'link.down') { n.link.adminUp = false; n.hasDefaultRoute = false }
    if (s.kind === 'wait.wan') { n.link.carrier = true; n.hasAddress = true; n.hasDefaultRoute = true }
    if (s.kind === 'dhcp.restart') n.delegated6 = ['2001:db8:100::/56']
  }
  return n
}

/** The group each step runs in (executor semantics: a concurrent step starts with the one before it). */
function groups(steps: Step[]): number[] {
  let g = -1
  return steps.map((s, i) => (i === 0 || !s.concurrent ? ++g : g))
}

describe('planTransition', () => {
  it('MASTER from a ready WAN: just the rule', () => {
    assert.deepEqual(kinds(planTransition({role: 'MASTER', wan: WAN, observed: READY})), ['rule.add'])
  })
  it('MASTER with duplicate rules: removes the extras, adds none', () => {
    const steps = planTransition({role: 'MASTER', wan: WAN, observed: {...READY, ruleCount: 3}})
    assert.deepEqual(kinds(steps), ['rule.del'])
    assert.equal(argsOf(steps[0], 'rule.del').count, 2)
  })
  it('MASTER from a silenced keep-up BACKUP: lift first, then the rule', () => {
    const steps = planTransition({role: 'MASTER', wan: WAN, observed: {...READY, silenced: true}})
    assert.deepEqual(steps.map((s) => [s.kind, s.concurrent]), [['silence.lift', undefined], ['rule.add', undefined]])
  })
  it('MASTER from a downed WAN: up, wait for the lease, then the rule; renew when asked', () => {
    const down = {...READY, link: {exists: true, adminUp: false, carrier: false}, hasAddress: false, hasDefaultRoute: false}
    assert.deepEqual(kinds(planTransition({role: 'MASTER', wan: {...WAN, link: 'down-on-backup'}, observed: down})), ['link.up', 'wait.wan', 'rule.add'])
    assert.deepEqual(kinds(planTransition({role: 'MASTER', wan: {...WAN, link: 'down-on-backup', renew: 'networkd'}, observed: down})), ['link.up', 'renew', 'wait.wan', 'rule.add'])
  })
  it('MASTER whose table lost its default route after a flap waits (and may reconfigure)', () => {
    const steps = planTransition({role: 'MASTER', wan: {...WAN, renew: 'networkd'}, observed: {...READY, hasDefaultRoute: false}})
    assert.deepEqual(kinds(steps), ['renew', 'wait.wan', 'rule.add'])
    assert.equal(argsOf(steps[0], 'renew').reconfigure, true)
  })
  it('the beforeWan slot, then the lift, then the IPv4 and IPv6 rules at once; afterWan last', () => {
    const s = (kind: 'dnsmasq.start' | 'dnsmasq.stop'): Step => ({kind, args: {}, why: kind, critical: false})
    const steps = planTransition({role: 'MASTER', wan: {...WAN, ipv6: true}, observed: {...READY, silenced: true, rule6Count: 0}, slots: {beforeWan: [s('dnsmasq.stop')], afterWan: [s('dnsmasq.start')]}})
    assert.deepEqual(steps.map((x) => [x.kind, x.concurrent ?? false]), [['dnsmasq.stop', false], ['silence.lift', false], ['rule.add', false], ['rule.add', true], ['dnsmasq.start', false]])
    assert.deepEqual(groups(steps), [0, 1, 2, 2, 3])
  })
  it('order on MASTER: conntrackd\'s commit has finished before the silence opens, and the silence is open before any rule routes out', () => {
    const info = {enabled: true, startOnBackup: true, verifyFailback: false, commitTimeoutMs: 5000, startCommand: [], startTimeoutMs: 5000, verifyTimeoutMs: 1000, syncTolerancePercent: 0}
    const slots = conntrackSteps('MASTER', info)
    assert.deepEqual(slots.beforeWan.map((x) => x.kind), ['conntrackd.commit'])
    let checked = 0
    for (const link of ['keep-up', 'down-on-backup'] as const) {
      for (const silence of ['nftables', 'none'] as const) {
        for (const renew of ['none', 'networkd'] as const) {
          for (const start of [READY, {...READY, silenced: true}, {...READY, silenced: true, hasDefaultRoute: false}, {...READY, silenced: true, rule6Count: 0}, {...READY, link: {exists: true, adminUp: false, carrier: false}, hasAddress: false, hasDefaultRoute: false}]) {
            const steps = planTransition({role: 'MASTER', wan: {...WAN, link, silence, renew, ipv6: true}, observed: start, slots})
            const g = groups(steps)
            const at = (k: string) => steps.map((x, i) => (x.kind === k ? g[i] : -1)).filter((i) => i >= 0)
            const [commit] = at('conntrackd.commit')
            const where = `${link} ${silence} renew=${renew} from ${JSON.stringify(start)}: ${steps.map((x) => `${x.concurrent ? '+' : ''}${x.kind}`).join(' ')}`
            assert.equal(commit, 0, where)
            for (const k of ['silence.lift', 'link.up', 'renew', 'wait.wan', 'conntrackd.flush']) for (const x of at(k)) assert.ok(x > commit, `${k} after the commit: ${where}`)
            for (const x of at('rule.add')) {
              assert.ok(x > commit, `rule after the commit: ${where}`)
              for (const lift of at('silence.lift')) assert.ok(x > lift, `rule after the lift: ${where}`)
            }
            checked++
          }
        }
      }
    }
    assert.equal(checked, 40)
  })
  it('slot steps run only when the role changes', () => {
    const s = (kind: 'dnsmasq.start' | 'dnsmasq.stop'): Step => ({kind, args: {}, why: kind, critical: false})
    assert.deepEqual(kinds(planTransition({role: 'MASTER', previousRole: 'MASTER', wan: WAN, observed: {...READY, ruleCount: 1}, slots: {afterWan: [s('dnsmasq.start')]}})), [])
  })
  for (const role of ['BACKUP', 'FAULT', 'STOP'] as Role[]) {
    it(`${role} in keep-up mode: every rule copy goes, then the WAN is silenced`, () => {
      const steps = planTransition({role, wan: WAN, observed: {...READY, ruleCount: 2}})
      assert.deepEqual(kinds(steps), ['rule.del', 'silence.apply'])
      assert.equal(argsOf(steps[0], 'rule.del').count, 2)
    })
    it(`${role} in down-on-backup mode: rule first, then the link goes down`, () => {
      assert.deepEqual(kinds(planTransition({role, wan: {...WAN, link: 'down-on-backup'}, observed: {...READY, ruleCount: 1}})), ['rule.del', 'link.down'])
    })
  }
  it('keep-up with silence = none only removes the rule', () => {
    assert.deepEqual(kinds(planTransition({role: 'BACKUP', wan: {...WAN, silence: 'none'}, observed: {...READY, ruleCount: 1}})), ['rule.del'])
  })
  it('wan.ipv6: MASTER adds the IPv6 rule beside the IPv4 one (not critical), BACKUP removes every copy of both', () => {
    const WAN6 = {...WAN, ipv6: true}
    // Both rules carry wan.rule_protocol.
    const p = planTransition({role: 'MASTER', wan: {...WAN6, rule_protocol: 201}, observed: {...READY, rule6Count: 0}})
    assert.deepEqual(p.map((s) => (s.args as {protocol?: number}).protocol), [201, 201])
    const m = planTransition({role: 'MASTER', wan: WAN6, observed: {...READY, rule6Count: 0}})
    assert.deepEqual(m.map((s) => [s.kind, (s.args as {family?: number}).family, s.critical]), [['rule.add', 4, true], ['rule.add', 6, false]])
    assert.deepEqual(argsOf(m[1], 'rule.add'), {table: 250, priority: 32770, protocol: 73, family: 6})
    const dup = planTransition({role: 'MASTER', wan: WAN6, observed: {...READY, ruleCount: 1, rule6Count: 3}})
    assert.deepEqual(dup.map((s) => s.kind), ['rule.del'])
    assert.deepEqual(argsOf(dup[0], 'rule.del'), {table: 250, priority: 32770, protocol: 73, family: 6, count: 2})
    const b = planTransition({role: 'BACKUP', wan: {...WAN6, silence: 'none'}, observed: {...READY, ruleCount: 1, rule6Count: 2}})
    assert.deepEqual(b.map((s) => [s.kind, (s.args as {family?: number}).family]), [['rule.del', 4], ['rule.del', 6]])
    assert.equal(argsOf(b[1], 'rule.del').count, 2)
  })
  it('IPv6 rules are left alone when not read (kernel without IPv6) or when wan.ipv6 = false', () => {
    assert.deepEqual(kinds(planTransition({role: 'MASTER', wan: {...WAN, ipv6: true}, observed: READY})), ['rule.add'])
    assert.deepEqual(kinds(planTransition({role: 'MASTER', wan: WAN, observed: {...READY, rule6Count: 0}})), ['rule.add'])
    assert.deepEqual(kinds(planTransition({role: 'BACKUP', wan: {...WAN, silence: 'none'}, observed: {...READY, rule6Count: 1}})), [])
  })
  it('converges: planning again against the result plans nothing, for every role, config and start', () => {
    const starts: ObservedWan[] = [READY, {...READY, ruleCount: 2}, {...READY, silenced: true}, {...READY, link: {exists: true, adminUp: false, carrier: false}, hasAddress: false, hasDefaultRoute: false},
      {...READY, rule6Count: 0}, {...READY, ruleCount: 1, rule6Count: 3}, {...READY, rule6Count: 1, silenced: true}]
    for (const role of ['MASTER', 'BACKUP', 'FAULT', 'STOP'] as Role[]) {
      for (const link of ['keep-up', 'down-on-backup'] as const) {
        for (const silence of ['nftables', 'none'] as const) {
          for (const start of starts) {
            for (const ipv6 of [false, true]) {
              const wan = {...WAN, link, silence, ipv6}
              const first = planTransition({role, wan, observed: start})
              const again = planTransition({role, previousRole: role, wan, observed: apply(start, first)})
              assert.deepEqual(kinds(again), [], `${role} ${link} ${silence} ipv6=${ipv6} from ${JSON.stringify(start)}`)
            }
          }
        }
      }
    }
  })
})

describe('a keep-up MASTER without a delegated prefix restarts its DHCP clients (dhcp.restart)', () => {
  const PD: WanPlanConfig = {...WAN, ipv6: true, dhcpv6: true, renew: 'networkd'}
  const NONE: ObservedWan = {...READY, silenced: true, rule6Count: 0, delegated6: []}
  const HELD: ObservedWan = {...NONE, delegated6: ['2001:db8:100::/56']}
  const restarts = (steps: Step[]) => steps.filter((s) => s.kind === 'dhcp.restart')

  it('from a silenced BACKUP without a prefix: after the lift and the rules, after afterWan, last; not critical', () => {
    const s = (kind: 'dnsmasq.start'): Step => ({kind, args: {}, why: kind, critical: false})
    const steps = planTransition({role: 'MASTER', previousRole: 'BACKUP', wan: PD, observed: NONE, slots: {afterWan: [s('dnsmasq.start')]}})
    assert.deepEqual(steps.map((x) => [x.kind, x.concurrent ?? false]), [['silence.lift', false], ['renew', false], ['rule.add', false], ['rule.add', true], ['dnsmasq.start', false], ['dhcp.restart', false]])
    assert.deepEqual(argsOf(steps.at(-1)!, 'dhcp.restart'), {dev: 'wan0'})
    assert.equal(steps.at(-1)!.critical, false)
    // RenewLink first (it answers a client in Renew/Rebind at once); the restart only if the prefix is still missing.
    assert.equal(argsOf(steps[1], 'renew').reconfigure, false)
  })
  it('no IPv4 lease either (nothing to lose): the renew step restarts both clients before wait.wan, so the rules do not sit out DHCPv4\'s backoff', () => {
    const noLease = {...NONE, hasAddress: false, hasDefaultRoute: false}
    const steps = planTransition({role: 'MASTER', previousRole: 'BACKUP', wan: PD, observed: noLease})
    assert.deepEqual(kinds(steps), ['silence.lift', 'renew', 'wait.wan', 'rule.add', 'rule.add'])
    assert.equal(argsOf(steps[1], 'renew').reconfigure, true)
    assert.match(steps[1].why, /no delegated IPv6 prefix/)
    // Without the renew step (link_via = "networkd", renew = "none") the restart comes last, as for a node with a lease.
    const viaLink = planTransition({role: 'MASTER', previousRole: 'BACKUP', wan: {...PD, renew: 'none', link_via: 'networkd'}, observed: noLease})
    assert.deepEqual(kinds(viaLink), ['silence.lift', 'wait.wan', 'rule.add', 'rule.add', 'dhcp.restart'])
    // With a prefix held, the renew stays a RenewLink.
    assert.equal(argsOf(planTransition({role: 'MASTER', previousRole: 'BACKUP', wan: PD, observed: {...noLease, delegated6: ['2001:db8:1::/56']}})[1], 'renew').reconfigure, false)
  })
  it('a node that holds a delegation keeps its leases (no restart)', () => {
    assert.deepEqual(restarts(planTransition({role: 'MASTER', previousRole: 'BACKUP', wan: PD, observed: HELD})), [])
  })
  it('converges: with the prefix back, a second run plans nothing; a repeated MASTER event never restarts twice', () => {
    const first = planTransition({role: 'MASTER', previousRole: 'BACKUP', wan: PD, observed: NONE})
    assert.equal(restarts(first).length, 1)
    assert.deepEqual(kinds(planTransition({role: 'MASTER', previousRole: 'MASTER', wan: PD, observed: apply(NONE, first)})), [])
    assert.deepEqual(kinds(planTransition({role: 'MASTER', wan: PD, observed: {...apply(NONE, first), ruleCount: 1, rule6Count: 1}})), [])
    // Still no prefix (an ISP without one): the next MASTER event does not restart the clients again.
    assert.deepEqual(kinds(planTransition({role: 'MASTER', previousRole: 'MASTER', wan: PD, observed: {...apply(NONE, first), delegated6: []}})), [])
  })
  it('the whole table: restarted exactly once for a take-over in keep-up with DHCPv6 via networkd, the link up, and no prefix held', () => {
    // A restart is a dhcp.restart step or a renew step that reconfigures.
    const restartsOf = (steps: Step[]) => steps.filter((s) => s.kind === 'dhcp.restart' || (s.kind === 'renew' && s.args.reconfigure))
    let planned = 0
    let cells = 0
    for (const role of ['MASTER', 'BACKUP', 'FAULT', 'STOP'] as Role[]) {
      for (const previousRole of [undefined, 'BACKUP', 'MASTER'] as Array<Role | undefined>) {
        for (const link of ['keep-up', 'down-on-backup'] as const) {
          for (const dhcpv6 of [true, false]) {
            for (const ipv6 of [true, false]) {
              for (const nd of ['renew', 'link_via', 'neither'] as const) {
                for (const held of ['none', 'held', 'unread'] as const) {
                  for (const start of ['lease', 'no lease', 'link down'] as const) {
                    const wan: WanPlanConfig = {...WAN, link, dhcpv6, ipv6, renew: nd === 'renew' ? 'networkd' : 'none', link_via: nd === 'link_via' ? 'networkd' : 'netlink'}
                    const base: ObservedWan = start === 'lease' ? NONE : start === 'no lease' ? {...NONE, hasAddress: false, hasDefaultRoute: false}
                      : {...NONE, silenced: false, link: {exists: true, adminUp: false, carrier: false}, hasAddress: false, hasDefaultRoute: false}
                    const observed: ObservedWan = {...base, delegated6: held === 'none' ? [] : held === 'held' ? ['2001:db8:7700::/56'] : undefined}
                    const steps = planTransition({role, previousRole, wan, observed})
                    const want = role === 'MASTER' && previousRole !== 'MASTER' && link === 'keep-up' && dhcpv6 && ipv6 && nd !== 'neither' && held === 'none' && start !== 'link down'
                    const where = `${role} from ${previousRole} ${link} dhcpv6=${dhcpv6} ipv6=${ipv6} networkd=${nd} prefix=${held} ${start}: ${kinds(steps).join(' ')}`
                    assert.equal(restartsOf(steps).length, want ? 1 : 0, where)
                    if (want) {
                      // Before wait.wan only when there was no IPv4 lease to lose; otherwise last.
                      if (start === 'no lease' && nd === 'renew') assert.ok(kinds(steps).indexOf('renew') < kinds(steps).indexOf('wait.wan'), where)
                      else assert.equal(steps.at(-1)!.kind, 'dhcp.restart', where)
                      planned++
                    }
                    cells++
                  }
                }
              }
            }
          }
        }
      }
    }
    assert.equal(cells, 4 * 3 * 2 * 2 * 2 * 3 * 3 * 3)
    assert.equal(planned, 2 * 2 * 2)
  })
  it('a link brought up fresh (its clients start at once) and a renew that already reconfigures need no restart', () => {
    const down: ObservedWan = {...NONE, silenced: false, link: {exists: true, adminUp: false, carrier: false}, hasAddress: false, hasDefaultRoute: false}
    assert.deepEqual(restarts(planTransition({role: 'MASTER', previousRole: 'BACKUP', wan: PD, observed: down})), [])
    const flapped = planTransition({role: 'MASTER', previousRole: 'BACKUP', wan: PD, observed: {...NONE, hasDefaultRoute: false}})
    assert.equal(argsOf(flapped.find((x) => x.kind === 'renew')!, 'renew').reconfigure, true)
    assert.deepEqual(restarts(flapped), [])
  })
})

describe('WAN state from ip -j', () => {
  const R = {table: 250, priority: 32770, protocol: 73}
  it('counts exactly the plain "to all lookup T priority P" rules of ha-tool\'s protocol; the others are foreign', () => {
    const rules = [
      {priority: 0, src: 'all', table: '255'},
      {priority: 32770, src: 'all', table: '250', protocol: '73'},
      {priority: 32770, src: 'all', table: '250', protocol: 73},
      {priority: 32770, src: 'all', table: '250'},
      {priority: 32770, src: 'all', table: '250', protocol: '18'},
      {priority: 32770, src: '10.0.0.0', srclen: 8, table: '250', protocol: '73'},
      {priority: 32770, src: 'all', iif: 'lo', table: '250', protocol: '73'},
      {priority: 32771, src: 'all', table: '250', protocol: '73'},
      {priority: 32770, src: 'all', table: '251', protocol: '73'},
    ]
    assert.equal(countWanRules(rules, R), 2)
    // Unspec (no protocol) is an earlier ha-tool's; 18 (keepalived) is foreign.
    assert.deepEqual(countLookAlikeWanRules(rules, R), {earlier: 1, foreign: 1})
    assert.equal(countWanRules([], R), 0)
    assert.equal(countWanRules(rules, {...R, protocol: 18}), 1)
  })
  it('reads link, address and the table default route', () => {
    const o = observeWan({
      rules: [],
      routes: [{dst: 'default', gateway: '198.51.100.1', dev: 'wan0'}],
      addr: [{ifname: 'wan0', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], addr_info: [{family: 'inet', local: '198.51.100.10', scope: '0'}]}],
      silenced: false,
    }, R)
    assert.deepEqual(o, {ruleCount: 0, ruleSlot: [], link: {exists: true, adminUp: true, carrier: true}, hasAddress: true, hasDefaultRoute: true, silenced: false})
  })
  it('a missing device, a down link, no carrier', () => {
    assert.deepEqual(observeWan({rules: [], routes: [], addr: undefined, silenced: false}, {table: 250, priority: 1, protocol: 73}).link, {exists: false, adminUp: false, carrier: false})
    assert.deepEqual(observeWan({rules: [], routes: [], addr: [{flags: ['BROADCAST']}], silenced: false}, {table: 250, priority: 1, protocol: 73}).link, {exists: true, adminUp: false, carrier: false})
    assert.deepEqual(observeWan({rules: [], routes: [], addr: [{flags: ['UP', 'NO-CARRIER']}], silenced: false}, {table: 250, priority: 1, protocol: 73}).link, {exists: true, adminUp: true, carrier: false})
  })
  it('IPv6: counts the rule copies and finds the table\'s ::/0 route among all tables', () => {
    const rules = [{priority: 32770, src: 'all', table: '250', protocol: '73'}, {priority: 32770, src: 'all', table: '250'}, {priority: 32770, src: '2001:db8::', srclen: 32, table: '250', protocol: '73'}, {priority: 32766, src: 'all', table: '254'}]
    assert.deepEqual(observeWan6({rules, routes: [{dst: 'default', gateway: 'fe80::1', dev: 'wan0', table: '250'}]}, R), {rule6Count: 1, rule6Slot: [{protocol: 73, plain: true}, {protocol: 0, plain: true}, {protocol: 73, plain: false}], hasDefaultRoute6: true})
    assert.deepEqual(observeWan6({rules: [], routes: [{dst: 'default', gateway: 'fe80::1', dev: 'wan0', table: '251'}, {dst: 'default', dev: 'lo', table: '254'}]}, R), {rule6Count: 0, rule6Slot: [], hasDefaultRoute6: false})
  })
  it('delegated prefixes: the unreachable routes a DHCPv6 client keeps, sorted, once each', () => {
    assert.deepEqual(delegatedPrefixes([
      {dst: '2001:db8:a5::/56', type: 'unreachable'},
      {dst: '2001:db8:100::/56', type: 'unreachable'},
      {dst: '2001:db8:100::/56', type: 'unreachable'},
      {dst: '2001:db8:7::/64'},
      {dst: 'default', type: 'unreachable'},
    ]), ['2001:db8:100::/56', '2001:db8:a5::/56'])
    assert.deepEqual(delegatedPrefixes([]), [])
  })
  it('splits batch output into one array per command', () => {
    assert.deepEqual(splitBatchJson('[{"priority":0}]\n[]\n'), [[{priority: 0}], []])
  })
})
