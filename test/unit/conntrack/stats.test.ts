// `conntrackd -s` output, captured from the real conntrackd 1.4.7 in each cache variant.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, test} from 'node:test'
import {parseConntrackdStats} from '../../../src/core/conntrack/stats.js'

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8')

describe('parseConntrackdStats', () => {
  test('FTFW backup: internal and external caches, traffic, UDP link, message tracking', () => {
    const s = parseConntrackdStats(fixture('stats-ftfw-backup.txt'))
    assert.equal(s.internalBypass, false)
    assert.equal(s.externalInject, false)
    assert.equal(s.internal?.active, 0)
    assert.deepEqual(s.external, {active: 1, created: 1, createdFailed: 0, updated: 0, updatedFailed: 0, destroyed: 0, destroyedFailed: 0})
    assert.equal(s.link?.transport, 'UDP')
    assert.equal(s.link?.device, 'h7xb')
    assert.ok(s.link!.packetsRecv > 0)
    assert.deepEqual(s.messages, {malformed: 0, lost: 0})
    assert.deepEqual(s.traffic, {bytes: 0, packets: 0})
  })

  test('FTFW master: the flow it owns is in its internal cache', () => {
    const s = parseConntrackdStats(fixture('stats-ftfw-master.txt'))
    assert.equal(s.internal?.active, 1)
    assert.equal(s.internal?.created, 1)
    assert.equal(s.external?.active, 0)
  })

  test('NOTRACK with both caches disabled: bypass and inject counters, no active count', () => {
    const s = parseConntrackdStats(fixture('stats-notrack-bypass-inject.txt'))
    assert.equal(s.internalBypass, true)
    assert.equal(s.externalInject, true)
    assert.equal(s.internal?.active, undefined)
    assert.equal(s.internal?.created, 1)
    assert.equal(s.external?.active, undefined)
    assert.equal(s.external?.created, 0)
  })

  test('NOTRACK backup with DisableExternalCache: the injected flow counts as created', () => {
    const s = parseConntrackdStats(fixture('stats-notrack-inject.txt'))
    assert.equal(s.externalInject, true)
    assert.equal(s.external?.created, 1)
    assert.equal(s.internal?.active, 0)
  })

  test('ALARM backup: the same cache sections', () => {
    const s = parseConntrackdStats(fixture('stats-alarm-backup.txt'))
    assert.equal(s.external?.active, 1)
  })

  test('counters up to 2^32 and the multicast and TCP link headers', () => {
    const text = 'cache internal:\ncurrent active connections:\t4294967295\nconnections created:\t\t  12\tfailed:\t  3\n\n'
      + 'multicast traffic (active device=ens8):\n   10 Bytes sent    20 Bytes recv\n    1 Pckts sent     2 Pckts recv\n    0 Error send     5 Error recv\n\n'
    const s = parseConntrackdStats(text)
    assert.equal(s.internal?.active, 4294967295)
    assert.equal(s.internal?.createdFailed, 3)
    assert.deepEqual(s.link, {transport: 'multicast', device: 'ens8', bytesSent: 10, bytesRecv: 20, packetsSent: 1, packetsRecv: 2, errorsSent: 0, errorsRecv: 5})
    const tcp = parseConntrackdStats('cache external:\ncurrent active connections: 0\n\nTCP traffic (active device=ens8) server=connected client=connected:\n 1 Bytes sent 2 Bytes recv\n')
    assert.equal(tcp.link?.transport, 'TCP')
    assert.equal(tcp.link?.bytesRecv, 2)
  })

  test('text that is not sync-mode stats is refused, not read as zeros', () => {
    assert.throws(() => parseConntrackdStats(''), /no cache sections/)
    assert.throws(() => parseConntrackdStats('conntrackd: unknown option\n'), /no cache sections/)
  })
})
