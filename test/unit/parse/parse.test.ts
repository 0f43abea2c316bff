// The tolerant readers doctor uses for other daemons' configs.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, test} from 'node:test'
import {pathPrefixes, scriptSecurityProblems} from '../../../src/core/doctor/script-security.js'
import {findAll, parseBraceConf, walkConf} from '../../../src/core/parse/brace-conf.js'
import {dhcpOptionValue, parseDnsmasqConf} from '../../../src/core/parse/dnsmasq-conf.js'
import {iniValue, matchesName, parseIni, sectionsNamed} from '../../../src/core/parse/ini.js'
import {ifaceCovers, parseNftRuleset, ruleInterfaces} from '../../../src/core/parse/nft-ruleset.js'

describe('keepalived/conntrackd block syntax', () => {
  test('blocks, quoted arguments, # and ! comments, braces on their own line or sharing one', () => {
    const tree = parseBraceConf([
      '! Configuration File for keepalived',
      'global_defs {',
      '  enable_script_security   # trailing comment',
      '  script_user root',
      '}',
      'vrrp_instance VI_1',
      '{',
      '  notify "/usr/sbin/ha-tool notify --config /etc/x.toml"',
      '  track_interface { ens7 }',
      '  virtual_ipaddress {',
      '    192.168.1.3/24',
      '  }',
      '}',
    ].join('\n'))
    assert.deepEqual(tree.map((n) => n.key), ['global_defs', 'vrrp_instance'])
    assert.deepEqual(tree[0].children.map((n) => [n.key, ...n.args]), [['enable_script_security'], ['script_user', 'root']])
    const inst = tree[1]
    assert.deepEqual(inst.args, ['VI_1'])
    assert.equal(findAll(inst.children, 'notify')[0].args[0], '/usr/sbin/ha-tool notify --config /etc/x.toml')
    assert.equal(findAll(inst.children, 'notify')[0].line, 8)
    assert.deepEqual(findAll(inst.children, 'track_interface')[0].children.map((c) => c.key), ['ens7'])
    assert.deepEqual(walkConf(tree).map((n) => n.key).slice(-1), ['192.168.1.3/24'])
  })

  test('an unbalanced file does not throw', () => {
    assert.doesNotThrow(() => parseBraceConf('a {\n b {\n}\n}\n}\n}'))
  })
})

describe('systemd ini', () => {
  test('repeated sections stay separate, the last assignment wins, comments only at line start', () => {
    const s = parseIni('[Match]\nName=ens7 wan*\n\n[Route]\nTable=240\n# Table=1\n[Route]\nTable=241\n[Link]\nActivationPolicy=up\nActivationPolicy=manual\n')
    assert.deepEqual(sectionsNamed(s, 'Route').map((r) => r.entries), [[['Table', '240']], [['Table', '241']]])
    assert.equal(iniValue(s, 'Link', 'ActivationPolicy'), 'manual')
    assert.equal(matchesName(s, 'ens7'), true)
    assert.equal(matchesName(s, 'wan0'), true)
    assert.equal(matchesName(s, 'ens6'), false)
  })

  test('a trailing "#" is part of the value, as networkd reads it', () => {
    assert.equal(iniValue(parseIni('[DHCPv4]\nClientIdentifier=mac # comment\n'), 'DHCPv4', 'ClientIdentifier'), 'mac # comment')
  })
})

describe('nftables', () => {
  test('`nft list ruleset` output: hooks, devices and rules', () => {
    const tables = parseNftRuleset(readFileSync(new URL('fixtures/nft-list-ruleset.txt', import.meta.url), 'utf8'))
    assert.deepEqual(tables.map((t) => `${t.family} ${t.name}`), ['inet ha_tool_filter', 'ip ha_tool_nat', 'netdev ha_tool_wan_silence'])
    const [forward] = tables[0].chains
    assert.equal(forward.hook, 'forward')
    assert.deepEqual(forward.rules, ['iifname { "ens6", "vrrp.60" } oifname { "ens6", "vrrp.60" } drop'])
    assert.deepEqual(tables[2].chains.map((c) => [c.name, c.hook, c.device]), [['ingress', 'ingress', 'ens7'], ['egress', 'egress', 'ens7']])
  })

  test('one-line chains, sets skipped, table declarations and includes ignored', () => {
    const tables = parseNftRuleset([
      'flush ruleset',
      'table inet f',
      'table inet f {',
      '  set lan { type ifname; elements = { "ens6" } }',
      '  chain fw { type filter hook forward priority 0; policy drop; iif "ens6" oif "ens6" drop; ct state established accept }',
      '}',
    ].join('\n'))
    assert.equal(tables.length, 1)
    assert.deepEqual(tables[0].chains[0].rules, ['iif "ens6" oif "ens6" drop', 'ct state established accept'])
  })

  test('interfaces of a rule, and wildcards', () => {
    assert.deepEqual(ruleInterfaces('meta iifname "ens6" oifname { "ens6", "vrrp*" } drop', 'in'), ['ens6'])
    assert.deepEqual(ruleInterfaces('meta iifname "ens6" oifname { "ens6", "vrrp*" } drop', 'out'), ['ens6', 'vrrp*'])
    assert.equal(ruleInterfaces('ct state invalid drop', 'in'), undefined)
    assert.equal(ifaceCovers(['ens6', 'vrrp*'], 'vrrp.60'), true)
    assert.equal(ifaceCovers(['ens6'], 'vrrp.60'), false)
  })
})

test('dnsmasq dhcp-option forms: option:name, number, with tags; the last one wins', () => {
  const opts = parseDnsmasqConf('# c\ndhcp-option=3,10.0.0.1\ndhcp-option=tag:lan,option:router,10.0.0.3\ndhcp-option=option:dns-server,10.0.0.3,10.0.0.4\nbind-dynamic\n')
  assert.deepEqual(dhcpOptionValue(opts, 'router'), ['10.0.0.3'])
  assert.deepEqual(dhcpOptionValue(opts, 'dns-server'), ['10.0.0.3', '10.0.0.4'])
  assert.equal(dhcpOptionValue(parseDnsmasqConf('dhcp-range=a,b\n'), 'router'), undefined)
})

describe('keepalived script security', () => {
  const dir = (path: string, mode: number, uid = 0, gid = 0) => ({path, uid, gid, mode: 0o40000 | mode, kind: 'dir' as const})
  test('Debian /usr/local (root:staff 2775) is refused; /tmp (sticky 1777) is not', () => {
    const problems = scriptSecurityProblems([dir('/', 0o755), dir('/usr', 0o755), dir('/usr/local', 0o2775, 0, 50), dir('/usr/local/bin', 0o2775, 0, 50), {path: '/usr/local/bin/ha-tool', uid: 0, gid: 0, mode: 0o100755, kind: 'file'}])
    assert.deepEqual(problems.map((p) => p.path), ['/usr/local', '/usr/local/bin'])
    assert.match(problems[0].problem, /group-writable \(mode 2775, gid 50\)/)
    assert.deepEqual(scriptSecurityProblems([dir('/', 0o755), dir('/tmp', 0o1777), {path: '/tmp/x', uid: 0, gid: 0, mode: 0o100755, kind: 'file'}]), [])
  })

  test('group-writable with gid 0 is allowed; world-writable and non-root owners are not', () => {
    const file = {path: '/x', uid: 0, gid: 0, mode: 0o100755, kind: 'file' as const}
    assert.deepEqual(scriptSecurityProblems([dir('/', 0o775), file]), [])
    assert.deepEqual(scriptSecurityProblems([dir('/', 0o757), file]).map((p) => p.fix), ['chmod o-w /'])
    assert.deepEqual(scriptSecurityProblems([dir('/', 0o755, 1000), file]).map((p) => p.fix), ['chown root /'])
    assert.deepEqual(scriptSecurityProblems([dir('/', 0o755), dir('/x', 0o755)]).map((p) => p.problem), ['not a regular file'])
  })

  test('keepalived\'s exact rule: sticky directories pass whatever their write bits, but not with a non-root owner; a symlink\'s own mode does not count', () => {
    const file = {path: '/t/x', uid: 0, gid: 0, mode: 0o100755, kind: 'file' as const}
    assert.deepEqual(scriptSecurityProblems([dir('/', 0o755), dir('/t', 0o1777), file]), [])
    assert.deepEqual(scriptSecurityProblems([dir('/', 0o755), dir('/t', 0o1775, 0, 50), file]), [])
    assert.deepEqual(scriptSecurityProblems([dir('/', 0o755), dir('/t', 0o777), file]).map((p) => p.problem), ['world-writable (mode 0777) without the sticky bit'])
    assert.deepEqual(scriptSecurityProblems([dir('/', 0o755), dir('/t', 0o1777, 1000), file]).map((p) => p.problem), ['owned by uid 1000, not root'])
    assert.deepEqual(scriptSecurityProblems([dir('/', 0o755), dir('/t', 0o755), {...file, mode: 0o100757}]).map((p) => p.problem), ['world-writable (mode 0757)'])
    assert.deepEqual(scriptSecurityProblems([dir('/', 0o755), dir('/t', 0o755), {path: '/t/x', uid: 0, gid: 50, mode: 0o120777, kind: 'symlink'}]), [])
  })

  test('prefixes from / down', () => {
    assert.deepEqual(pathPrefixes('/usr/sbin/ha-tool'), ['/', '/usr', '/usr/sbin', '/usr/sbin/ha-tool'])
  })
})
