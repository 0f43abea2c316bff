import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {ECHO_EXPIRY_SLACK_S, ECHO_WINDOW_MS, isEcho, parseReceived, recordReceived} from '../../../src/core/leases/echo.js'

const add = (exp: number, ip: string) => `add ${exp} 52:54:00:00:00:0b ${ip} b *`

describe('lease echo record', () => {
  test('a received line is an echo, for that address only, until the window ends', () => {
    const rec = parseReceived(recordReceived(new Map(), [add(900, '192.168.1.160'), 'del 5 00:01 fd00::5 h 00:03'], 1000))
    assert.ok(isEcho(rec, add(900, '192.168.1.160'), 2000))
    assert.ok(isEcho(rec, 'del 5 00:01 fd00::5 h 00:03', 2000))
    assert.ok(isEcho(rec, add(901, '192.168.1.160'), 2000), 'one second later: dnsmasq\'s clock crossed a second during the D-Bus call')
    assert.ok(isEcho(rec, add(900 - ECHO_EXPIRY_SLACK_S, '192.168.1.160'), 2000))
    assert.ok(!isEcho(rec, add(901 + ECHO_EXPIRY_SLACK_S, '192.168.1.160'), 2000), 'an expiry further off is news (a renewal)')
    assert.ok(!isEcho(rec, add(0, '192.168.1.160'), 2000), 'an infinite lease is news')
    assert.ok(!isEcho(rec, 'add 900 52:54:00:00:00:0c 192.168.1.160 b *', 2000), 'another client is news')
    assert.ok(!isEcho(rec, 'add 900 52:54:00:00:00:0b 192.168.1.160 c *', 2000), 'another host name is news')
    assert.ok(!isEcho(rec, add(900, '192.168.1.161'), 2000))
    assert.ok(!isEcho(rec, `del ${add(900, '192.168.1.160').slice(4)}`, 2000), 'a deletion of it is news')
    assert.ok(!isEcho(rec, add(900, '192.168.1.160'), 1000 + ECHO_WINDOW_MS))
  })

  test('the last line per address wins, old entries are dropped, junk is skipped', () => {
    const first = recordReceived(new Map(), [add(900, '10.0.0.1'), add(900, '10.0.0.2')], 0)
    const text = recordReceived(parseReceived(`${first}garbage\n12 nonsense\n`), [add(950, '10.0.0.1')], ECHO_WINDOW_MS - 1)
    const rec = parseReceived(text)
    assert.deepEqual([...rec.keys()].sort(), ['10.0.0.1', '10.0.0.2'])
    assert.ok(isEcho(rec, add(950, '10.0.0.1'), ECHO_WINDOW_MS))
    const later = parseReceived(recordReceived(rec, [], ECHO_WINDOW_MS + 5))
    assert.deepEqual([...later.keys()], ['10.0.0.1'], 'the older entry left with its window')
  })
})
