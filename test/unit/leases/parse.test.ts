// The lease-file parser against every line form dnsmasq writes (src/lease.c lease_update_file) and what it must refuse.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {HaError} from '../../../src/core/errors.js'
import {formatLease, tableOf} from '../../../src/core/leases/format.js'
import {parseLeaseText} from '../../../src/core/leases/parse.js'
import {leaseAt, leasesOf} from '../../../src/core/leases/table.js'

const V4 = '1767225600 52:54:00:12:34:56 192.168.1.150 laptop 01:52:54:00:12:34:56\n'
const V4_STAR = '1767225600 52:54:00:ab:cd:ef 192.168.1.151 * *\n'
const V4_INFINITE = '0 52:54:00:00:00:01 192.168.1.2 printer *\n'
const V4_HWTYPE = '1767225600 06-00:11:22:33:44:55 192.168.1.152 tokenring *\n'
const DUID = 'duid 00:01:00:01:2c:9a:5b:3e:52:54:00:aa:bb:cc\n'
const V6 = '1767225600 1234567 fd00::150 laptop 00:04:7d:4b:2a:1f:c9:3e\n'
const V6_TEMP = '1767225600 T87654 fd00::151 * 00:01:00:01:aa:bb:cc:dd:ee:ff:00:11:22:33\n'
const V6_NO_DUID = '0 1 2001:db8::1 * *\n'
const FULL = V4 + V4_STAR + V4_INFINITE + V4_HWTYPE + DUID + V6 + V6_TEMP + V6_NO_DUID

const bytesOf = (text: string) => Buffer.from(text, 'latin1').toString('latin1')
const serialize = (t: ReturnType<typeof parseLeaseText>) => Buffer.from(t.buf).toString('latin1')

const refused = (text: string, pattern: RegExp) =>
  assert.throws(() => parseLeaseText(text, 'F'), (e: unknown) => e instanceof HaError && e.kind === 'bad-lease-file' && e.exit === 1 && pattern.test(e.message), `expected ${pattern} for ${JSON.stringify(text)}`)

describe('parseLeaseText', () => {
  test('every line form: fields as dnsmasq wrote them', () => {
    const t = parseLeaseText(FULL, 'F')
    assert.equal(t.count, 7)
    assert.equal(t.serverDuid, '00:01:00:01:2c:9a:5b:3e:52:54:00:aa:bb:cc')
    const [v4, star, inf, hw, v6, temp, nodUID] = leasesOf(t)
    assert.deepEqual(v4, {family: 4, expiry: 1767225600, mac: '52:54:00:12:34:56', ip: '192.168.1.150', host: 'laptop', clientId: '01:52:54:00:12:34:56', line: V4.trimEnd()})
    assert.deepEqual([star.host, star.family === 4 && star.clientId], ['*', '*'])
    assert.equal(inf.expiry, 0)
    assert.equal(hw.family === 4 && hw.mac, '06-00:11:22:33:44:55')
    assert.deepEqual(v6, {family: 6, expiry: 1767225600, iaid: '1234567', ip: 'fd00::150', host: 'laptop', duid: '00:04:7d:4b:2a:1f:c9:3e', line: V6.trimEnd()})
    assert.equal(temp.family === 6 && temp.iaid, 'T87654')
    assert.equal(nodUID.family === 6 && nodUID.duid, '*')
  })

  test('round trip is byte for byte, upper-case hex and odd hostnames included', () => {
    for (const text of [FULL, '', V4, '5 06- 10.0.0.1 typed-empty-hwaddr *\n', '1767225600 52:54:00:AB:CD:EF 10.0.0.1 Host_ünï-1 FF:00\n', DUID, V6 + V4]) {
      assert.equal(serialize(parseLeaseText(bytesOf(text), 'F')), text)
    }
  })

  test('an empty file is an empty database', () => {
    assert.equal(parseLeaseText('', 'F').count, 0)
  })

  test('the table knows its IPv4 range and its IPv6 count (what decides the merge path), across a table that had to grow', () => {
    const t = parseLeaseText(FULL, 'F')
    assert.deepEqual([t.v4Lo, t.v4Hi, t.v6], [0xc0a80102, 0xc0a80198, 3]) // 192.168.1.2 and .152
    const many = Array.from({length: 3000}, (_, i) => `5 52:54:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')} ${i === 7 ? '255.255.255.254' : `10.1.${i >> 8}.${i & 255}`} * *\n`).join('')
    const g = parseLeaseText(many, 'F')
    assert.deepEqual([g.count, g.v4Lo, g.v4Hi, g.v6], [3000, 0x0a010000, 0xfffffffe, 0])
    const none = parseLeaseText(V6, 'F')
    assert.ok(none.v4Lo > none.v4Hi)
    assert.equal(none.v6, 1)
  })

  test('a missing final newline is a truncated copy: refused, naming the line', () => {
    refused(V4 + V4_STAR.slice(0, 20), /^F:2: no newline at the end of the file: truncated/)
    refused(V4.trimEnd(), /^F:1: no newline/)
  })

  test('malformed lines are errors naming file and line', () => {
    refused(V4 + 'garbage\n', /^F:2: bad expiry "garbage"/)
    refused(V4 + '\n', /^F:2: empty line/)
    refused('17x 52:54:00:12:34:56 10.0.0.1 h *\n', /^F:1: bad expiry/)
    refused('1 52:54:00:12:34:56 10.0.0.1 h\n', /^F:1: expected 5 space-separated fields/)
    refused('1 52:54:00:12:34:56 10.0.0.1 h * extra\n', /^F:1: more than 5 fields/)
    refused('1 52:54:00:12:34:5 10.0.0.1 h *\n', /^F:1: bad hardware address/)
    refused('1 zz:54:00:12:34:56 10.0.0.1 h *\n', /^F:1: bad hardware address/)
    refused('1 52:54:00:12:34:56 10.0.0.256 h *\n', /^F:1: bad address "10.0.0.256"/)
    refused('1 52:54:00:12:34:56 10.0.01.1 h *\n', /^F:1: bad address/)
    refused('1 52:54:00:12:34:56 10.0.0 h *\n', /^F:1: bad address/)
    refused('1 52:54:00:12:34:56 10.0.0.1 h 01:0g\n', /^F:1: bad client id/)
    refused('1 52:54:00:12:34:56 10.0.0.1  *\n', /^F:1: bad hostname/)
    refused('1 12a fd00::1 h *\n', /^F:1: bad IAID/)
    refused('1 12 fd00:::1 h *\n', /^F:1: bad address/)
    refused('duid xyz\n', /^F:1: bad server DUID/)
    refused(V4 + V4 + '1 52:54:00:12:34:56\t10.0.0.1 h *\n', /^F:3: /)
  })

  test('IPv6 addresses: every valid spelling is read, and malformed ones are refused', () => {
    const valid = ['::', '::1', '1::', 'fd00::1', 'FD00::A:b', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '2001:db8::1:0:0:1', '::ffff:1.2.3.4', '64:ff9b::192.0.2.33', '1:2:3:4:5:6:10.0.0.1', 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255']
    for (const ip of valid) assert.equal(parseLeaseText(`1 12 ${ip} h *\n`, 'F').count, 1, ip)
    const invalid = ['fd00:::1', '1::2::3', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:', '::1:', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2:3:4:5:6:7:8', '12345::1', 'fd00::g', '::1.2.3.256', '::1.2.3', '::1.2.3.4.5', '1.2.3.4::', '::1.2.3.4:5', '::01234.1.1.1']
    for (const ip of invalid) refused(`1 12 ${ip} h *\n`, /^F:1: bad address/)
  })

  test('format/tableOf build lines the parser reads back (hook events)', () => {
    const t = tableOf([{family: 4, expiry: 5, mac: 'aa:bb:cc:dd:ee:ff', ip: '10.0.0.9', host: '', clientId: ''}], 'hook')
    assert.equal(leaseAt(t, 0).line, '5 aa:bb:cc:dd:ee:ff 10.0.0.9 * *')
    assert.equal(formatLease({family: 6, expiry: 0, iaid: 'T3', ip: 'fd00::3', host: 'h', duid: '00:01'}), '0 T3 fd00::3 h 00:01')
    assert.throws(() => tableOf([{family: 4, expiry: 5, mac: 'nope', ip: '10.0.0.9', host: '', clientId: ''}], 'hook'), /^Error: hook:1: bad hardware address|hook:1: bad hardware address/)
  })
})
