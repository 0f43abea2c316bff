import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {parseStatusRange, parseTarget, parseTargets} from '../../../src/core/health/targets.js'

const err = (text: string) => {
  const r = parseTarget(text)
  assert.ok('error' in r, `${text} should not parse, got ${JSON.stringify(r)}`)
  return r.error
}

describe('parseTarget', () => {
  test('a bare address or host is ICMP', () => {
    assert.deepEqual(parseTarget('192.0.2.1'), {kind: 'icmp', text: '192.0.2.1', host: '192.0.2.1'})
    assert.deepEqual(parseTarget('2001:db8::1'), {kind: 'icmp', text: '2001:db8::1', host: '2001:db8::1'})
    assert.deepEqual(parseTarget('[2001:db8::1]'), {kind: 'icmp', text: '[2001:db8::1]', host: '2001:db8::1'})
    assert.deepEqual(parseTarget('gw.example.net'), {kind: 'icmp', text: 'gw.example.net', host: 'gw.example.net'})
    assert.deepEqual(parseTarget(' icmp://192.0.2.9 '), {kind: 'icmp', text: 'icmp://192.0.2.9', host: '192.0.2.9'})
  })

  test('tcp://HOST:PORT', () => {
    assert.deepEqual(parseTarget('tcp://192.0.2.1:443'), {kind: 'tcp', text: 'tcp://192.0.2.1:443', host: '192.0.2.1', port: 443})
    assert.deepEqual(parseTarget('tcp://[2001:db8::1]:22'), {kind: 'tcp', text: 'tcp://[2001:db8::1]:22', host: '2001:db8::1', port: 22})
    assert.match(err('tcp://192.0.2.1'), /port is missing/)
    assert.match(err('tcp://192.0.2.1:99999'), /not a valid URL/)
    // An unbracketed IPv6 address: the colons would read as a port; the error says to bracket it.
    assert.match(err('dns://fd55:6::2/example.org'), /^an IPv6 address in a URL goes in brackets, as in dns:\/\/\[2001:db8::53\]\/example\.org$/)
    assert.match(err('tcp://fd00::1:443'), /brackets, as in tcp:\/\/\[2001:db8::1\]:443/)
    assert.match(err('icmp://fe80::1'), /brackets, as in icmp:\/\/\[2001:db8::1\]/)
    assert.equal((parseTarget('dns://[fd55:6::2]/example.org') as {kind?: string}).kind, 'dns')
    assert.equal((parseTarget('tcp://[fd00::1]:443') as {kind?: string}).kind, 'tcp')
    assert.match(err('tcp://192.0.2.1:80/x'), /nothing after the port/)
  })

  test('dns://SERVER[:PORT]/NAME[?type=AAAA]', () => {
    assert.deepEqual(parseTarget('dns://192.0.2.53/example.com'), {kind: 'dns', text: 'dns://192.0.2.53/example.com', server: '192.0.2.53', port: 53, name: 'example.com', rrtype: 'A'})
    assert.deepEqual(parseTarget('dns://192.0.2.53:5353/example.com.?type=aaaa'), {kind: 'dns', text: 'dns://192.0.2.53:5353/example.com.?type=aaaa', server: '192.0.2.53', port: 5353, name: 'example.com', rrtype: 'AAAA'})
    assert.match(err('dns://resolver.example/example.com'), /SERVER an IP address/)
    assert.match(err('dns://192.0.2.53/'), /name to query is missing/)
    assert.match(err('dns://192.0.2.53/example.com?type=MX'), /type=A or \?type=AAAA/)
  })

  test('http and https URLs are kept whole', () => {
    assert.deepEqual(parseTarget('https://example.com/health?x=1'), {kind: 'http', text: 'https://example.com/health?x=1', url: 'https://example.com/health?x=1', host: 'example.com'})
    assert.deepEqual(parseTarget('http://192.0.2.1:8080'), {kind: 'http', text: 'http://192.0.2.1:8080', url: 'http://192.0.2.1:8080/', host: '192.0.2.1'})
  })

  test('what is not a target says so', () => {
    assert.match(err('udp://192.0.2.1:53'), /unknown probe type "udp"/)
    assert.match(err(''), /empty/)
    assert.match(err('192.0.2.1:80'), /not a host or address/)
    assert.match(err('256.1.1.1'), /not a valid host name or address/)
    assert.match(err('a b'), /not a valid host/)
    assert.match(err('1.2.3'), /not a valid host name or address/)
    assert.match(err('2001:db8::1::2'), /not a host or address/)
  })

  test('parseTargets names the first bad target', () => {
    assert.deepEqual(parseTargets(['192.0.2.1', 'bogus://x', 'alsobad:']), {error: '"bogus://x": unknown probe type "bogus" (expected HOST (ICMP), tcp://HOST:PORT, dns://SERVER/NAME, http://URL or https://URL)'})
    const ok = parseTargets(['192.0.2.1', 'tcp://192.0.2.2:22'])
    assert.ok(Array.isArray(ok) && ok.length === 2)
  })
})

describe('parseStatusRange', () => {
  test('a range, a single status, and what is refused', () => {
    assert.deepEqual(parseStatusRange('200-399'), [200, 399])
    assert.deepEqual(parseStatusRange('204'), [204, 204])
    assert.ok('error' in (parseStatusRange('399-200') as object))
    assert.ok('error' in (parseStatusRange('2xx') as object))
    assert.ok('error' in (parseStatusRange('600') as object))
  })
})
