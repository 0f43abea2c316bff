// Flows by tuple, from the real output formats of `conntrack -L` and `conntrackd -i/-e`.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {compareFlows, flowKey, formatFlowRecord, masterFlowRecords, parseFlowRecord, parseFlows} from '../../../src/core/conntrack/flows.js'

// As conntrack-tools 1.4.7 print them: the kernel table, the internal cache (both directions) and
// the external cache (the original direction only).
const KERNEL = 'tcp      6 431986 ESTABLISHED src=192.168.1.50 dst=203.0.113.9 sport=40312 dport=443 src=203.0.113.9 dst=198.51.100.7 sport=443 dport=40312 [ASSURED] mark=0 use=1'
const CACHE = 'tcp      6 ESTABLISHED src=192.168.1.50 dst=203.0.113.9 sport=40312 dport=443 src=203.0.113.9 dst=198.51.100.7 sport=443 dport=40312 [ASSURED] mark=0 [active since 12s]'
const EXTERNAL = 'tcp      6 ESTABLISHED src=192.168.1.50 dst=203.0.113.9 sport=40312 dport=443 [UNREPLIED] [ASSURED] mark=0 [active since 1s]'
const ICMP6 = 'icmpv6   58 29 src=fd00::2 dst=fd00::1 type=128 code=0 id=77 src=fd00::1 dst=fd00::2 type=129 code=0 id=77 mark=0 use=1'

describe('flowKey', () => {
  test('the kernel line and both caches\' lines of one flow have one key: its original tuple', () => {
    assert.equal(flowKey(KERNEL), 'tcp src=192.168.1.50 dst=203.0.113.9 sport=40312 dport=443')
    assert.equal(flowKey(KERNEL), flowKey(CACHE))
    assert.equal(flowKey(KERNEL), flowKey(EXTERNAL))
    assert.equal(flowKey(KERNEL.replace('431986 ESTABLISHED', '120 TIME_WAIT')), flowKey(KERNEL))
  })

  test('another original tuple is another flow', () => {
    assert.notEqual(flowKey(KERNEL), flowKey(KERNEL.replace('sport=40312', 'sport=40313')))
    assert.notEqual(flowKey(KERNEL), flowKey(KERNEL.replace('tcp      6', 'udp      17')))
  })

  test('ICMPv6 by type/code/id; summary and blank lines are not flows', () => {
    assert.equal(flowKey(ICMP6), 'icmpv6 src=fd00::2 dst=fd00::1 type=128 code=0 id=77')
    assert.equal(flowKey('conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.'), undefined)
    assert.equal(parseFlows(`${KERNEL}\n\n${ICMP6}\nconntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.\n`).size, 2)
  })
})

describe('compareFlows', () => {
  const k = (i: number) => `tcp src=10.0.0.${i} dst=10.9.9.9 sport=1 dport=2`
  const keys = (from: number, to: number) => Array.from({length: to - from}, (_, i) => k(from + i))

  test('missing and extra by tuple; unreplicated MASTER flows are neither', () => {
    const master = [...masterFlowRecords(new Set(keys(0, 100)), new Set(keys(0, 90))), ...masterFlowRecords(new Set(keys(200, 205)), undefined)]
    const local = new Set([...keys(0, 80), ...keys(200, 205), ...keys(300, 303)])
    const c = compareFlows(master, local, {percent: 2, absolute: 2})
    assert.deepEqual([c.verdict, c.master, c.local, c.missing, c.extra, c.allowed], ['behind', 95, 88, 10, 3, 2])
    assert.deepEqual(c.sampleMissing, keys(80, 85))
    assert.deepEqual(c.sampleExtra, keys(300, 303))
  })

  test('within the tolerance is in sync', () => {
    const c = compareFlows(masterFlowRecords(new Set(keys(0, 200)), undefined), new Set(keys(0, 196)), {percent: 2, absolute: 2})
    assert.deepEqual([c.verdict, c.missing, c.allowed], ['in-sync', 4, 4])
  })

  test('records survive their line format', () => {
    for (const r of [{replicated: true, key: k(1)}, {replicated: false, key: k(2)}]) assert.deepEqual(parseFlowRecord(formatFlowRecord(r)), r)
    assert.equal(parseFlowRecord('garbage'), undefined)
  })
})
