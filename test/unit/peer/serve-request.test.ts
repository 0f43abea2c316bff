// The forced command's decision: only the peer requests run, with this node's config; the rest is refused.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {shellQuote} from '../../../src/adapters/peer.js'
import {authorizedKeysLine, decideServeRequest, shellWords} from '../../../src/core/peer/serve-request.js'

const LEASES = '/var/lib/misc/dnsmasq.leases'
const decide = (line: string | undefined) => decideServeRequest(line, [LEASES, '/etc/conntrackd/conntrackd.conf'])
const remote = (argv: string[]) => argv.map(shellQuote).join(' ')

describe('decideServeRequest', () => {
  test('what the peer port sends is allowed, whatever the caller thinks the program is', () => {
    assert.deepEqual(decide(remote(['/usr/sbin/ha-tool', 'status', '--json'])), {kind: 'ha-tool', args: ['status', '--json']})
    assert.deepEqual(decide(remote(['/usr/bin/node', '/opt/x y/bin/run.js', 'config', 'show', '--json', '--config', '/etc/o.toml'])), {kind: 'ha-tool', args: ['config', 'show', '--json']})
    assert.deepEqual(decide(remote(['ha-tool', 'leases', 'receive', '--config=/x'])), {kind: 'ha-tool', args: ['leases', 'receive']})
    assert.deepEqual(decide(remote(['ha-tool', 'peer', 'flows'])), {kind: 'ha-tool', args: ['peer', 'flows']})
    assert.deepEqual(decide(remote(['cat', '--', LEASES])), {kind: 'cat', path: LEASES})
    assert.deepEqual(decide(remote(['cat', '--', '/etc/conntrackd/conntrackd.conf'])), {kind: 'cat', path: '/etc/conntrackd/conntrackd.conf'})
  })

  test('anything else is refused, saying what', () => {
    for (const [line, why] of [
      [undefined, /no command/],
      ['bash -i', /not a peer request/],
      ['ha-tool status --json; rm -rf /', /not a plain command line/],
      ['ha-tool status $(id)', /not a plain command line/],
      [remote(['cat', '--', '/etc/shadow']), /only \/var\/lib\/misc\/dnsmasq\.leases and \/etc\/conntrackd\/conntrackd\.conf may be fetched/],
      [remote(['cat', LEASES]), /only \/var\/lib\/misc\/dnsmasq\.leases and \/etc\/conntrackd\/conntrackd\.conf may be fetched/],
      [remote(['ha-tool', 'maintenance', 'on']), /not a peer request/],
      [remote(['ha-tool', 'status', '--log-file', '/etc/passwd']), /status: arguments not allowed from the peer: --log-file \/etc\/passwd/],
      [remote(['ha-tool', 'config', 'example', 'ha-tool']), /not a peer request/],
      ["ha-tool 'status", /not a plain command line/],
    ] as const) {
      const r = decide(line)
      assert.equal(r.kind, 'refused', String(line))
      assert.match((r as {why: string}).why, why)
    }
  })

  test('shellWords undoes shellQuote for any word', () => {
    for (const w of ['plain', 'with space', "it's", "''", 'a\'b"c', 'tab\there', '$HOME', '*']) assert.deepEqual(shellWords(shellQuote(w)), [w])
  })

  test('the authorized_keys line forces the serve command and restricts the key', () => {
    assert.equal(authorizedKeysLine({binary: '/usr/sbin/ha-tool', configPath: '/etc/ha-tool/config.toml', from: '192.168.190.1', publicKey: 'ssh-ed25519 AAAAC3 root@gw1'}),
      'restrict,command="/usr/sbin/ha-tool peer serve --config /etc/ha-tool/config.toml",from="192.168.190.1" ssh-ed25519 AAAAC3 root@gw1')
  })
})
