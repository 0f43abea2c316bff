// [peer] and its older dnsmasq.* names: one setting, read under either name, never two values.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {parse} from 'smol-toml'
import {renderConfigToml} from '../../../src/config/render.js'
import {findProblems, validateConfig} from '../../../src/config/validate.js'

const load = (text: string) => validateConfig(parse(text) as Record<string, unknown>, text, 'c.toml')
const problems = (text: string) => findProblems(parse(text) as Record<string, unknown>, text, 'c.toml').map((e) => e.message)
const base = '[wan]\ninterface = "ens7"\n'

describe('[peer] section', () => {
  test('defaults, and the old names read the same values', () => {
    const c = load(base)
    assert.deepEqual(c.peer, {destination: 'root@192.168.190.2', port: 22, known_hosts: '', identity: '', connect_timeout_ms: 3000, timeout_ms: 5000, command: ['/usr/sbin/ha-tool'], config: ''})
    assert.equal(c.dnsmasq.peer, c.peer.destination)
    assert.deepEqual(c.dnsmasq.peer_command, c.peer.command)
  })

  test('an old config (dnsmasq.peer, ssh_port, ssh_known_hosts, ssh_key, ssh_timeout_ms, peer_command, peer_config) still works', () => {
    const c = load(`${base}[dnsmasq]\npeer = "admin@10.9.0.2"\nssh_port = 2222\nssh_known_hosts = "/etc/ha-tool/known_hosts"\nssh_key = "/etc/ha-tool/id"\nssh_timeout_ms = 7000\npeer_command = ["/opt/ha-tool"]\npeer_config = "/etc/x.toml"\n`)
    assert.deepEqual(c.peer, {destination: 'admin@10.9.0.2', port: 2222, known_hosts: '/etc/ha-tool/known_hosts', identity: '/etc/ha-tool/id', connect_timeout_ms: 3000, timeout_ms: 7000, command: ['/opt/ha-tool'], config: '/etc/x.toml'})
    assert.equal(c.dnsmasq.ssh_port, 2222)
  })

  test('the new name wins over nothing, and both names saying the same is fine', () => {
    const c = load(`${base}[peer]\ndestination = "root@10.1.1.2"\nport = 2200\n[dnsmasq]\npeer = "root@10.1.1.2"\n`)
    assert.equal(c.peer.destination, 'root@10.1.1.2')
    assert.equal(c.dnsmasq.peer, 'root@10.1.1.2')
    assert.equal(c.dnsmasq.ssh_port, 2200)
  })

  test('both names with different values: one error naming both, at the old name\'s line', () => {
    assert.deepEqual(problems(`${base}[peer]\nport = 2200\n[dnsmasq]\nssh_port = 22\n`), ['c.toml:6: dnsmasq.ssh_port: older name of peer.port, which says 2200: keep one'])
  })

  test('conntrackd.peer_exec is retired with a migration hint; empty is accepted', () => {
    const [msg] = problems(`${base}[conntrackd]\npeer_exec = ["ssh", "root@x"]\n`)
    assert.match(msg, /^c\.toml:4: conntrackd\.peer_exec: retired key: the failback check reaches the MASTER through \[peer\].*set peer\.destination/)
    assert.deepEqual(problems(`${base}[conntrackd]\npeer_exec = []\n`), [])
  })

  test('a destination that ssh would read as an option is refused', () => {
    assert.match(problems(`${base}[peer]\ndestination = "-oProxyCommand=x"\n`)[0], /peer\.destination: expected an ssh destination/)
  })

  test('the rendered config shows each setting once, under its new name', () => {
    const text = renderConfigToml(load(base))
    assert.match(text, /^\[peer\]\n#.*\ndestination = "root@192\.168\.190\.2"/m)
    assert.doesNotMatch(text, /^(peer|ssh_port|ssh_key|ssh_known_hosts|ssh_timeout_ms|peer_command|peer_config|peer_exec) =/m)
  })
})
