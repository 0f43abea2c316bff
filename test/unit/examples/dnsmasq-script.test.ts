// dnsmasq's dhcp-script wrapper is generated from the config (dnsmasq passes it no arguments of ours),
// the shipped file is that output for the defaults, and `config example dnsmasq` names the one that fits.
// Also: which dnsmasq release the dnsmasq example needs, per config.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, test} from 'node:test'
import {buildExample} from '../../../src/app/config-example.js'
import type {Config} from '../../../src/config/schema.js'
import {defaultConfig} from '../../../src/config/validate.js'
import {dnsmasqNeeds, parseDnsmasqVersion, unmetNeeds} from '../../../src/core/doctor/dnsmasq-version.js'
import {scriptHookConfig, scriptStateDir, SHIPPED_SCRIPT} from '../../../src/core/examples/dnsmasq-script.js'
import {parseDnsmasqConf} from '../../../src/core/parse/dnsmasq-conf.js'
import {shellWords} from '../../../src/core/parse/shell-words.js'

const ROOT = new URL('../../..', import.meta.url).pathname
const base = defaultConfig('wan0')
function cfg(over: {[S in keyof Config]?: Partial<Config[S]>} = {}): Config {
  const out = structuredClone(base) as Record<string, Record<string, unknown>>
  for (const [s, v] of Object.entries(over)) out[s] = {...out[s], ...v}
  return out as unknown as Config
}
const scriptOf = (c: Config, path?: string) => parseDnsmasqConf(buildExample('dnsmasq', c, path)).find((o) => o.name === 'dhcp-script')?.value
const execLine = (text: string) => shellWords(/^exec (.*) "\$@"$/m.exec(text)![1])

describe('dnsmasq-script example', () => {
  test('the shipped scripts/packaging/dnsmasq-script is the example of the default config, byte for byte', () => {
    assert.equal(readFileSync(`${ROOT}scripts/packaging/dnsmasq-script`, 'utf8'), buildExample('dnsmasq-script', defaultConfig(), undefined))
    // What the shipped wrapper has baked in is the config's defaults.
    assert.deepEqual(SHIPPED_SCRIPT, {stateDir: base.state.dir, binary: base.doctor.binary})
  })

  test('state.dir, doctor.binary and a non-default config path are written in', () => {
    const text = buildExample('dnsmasq-script', cfg({state: {dir: '/var/run/gw one'}, doctor: {binary: '/opt/ha-tool/bin/ha-tool'}}), '/etc/ha-tool/gw.toml')
    assert.match(text, /^#!\/bin\/sh\n/)
    assert.equal(scriptStateDir(text), '/var/run/gw one')
    assert.match(text, /^state_dir='\/var\/run\/gw one'$/m)
    assert.deepEqual(execLine(text), ['/opt/ha-tool/bin/ha-tool', 'leases', 'hook', '--config', '/etc/ha-tool/gw.toml'])
    assert.match(text, /^# Install it as \/etc\/ha-tool\/dnsmasq-script/m)
    // The default config path needs no --config.
    assert.deepEqual(execLine(buildExample('dnsmasq-script', base, '/etc/ha-tool/config.toml')), ['/usr/sbin/ha-tool', 'leases', 'hook'])
  })

  test('config example dnsmasq names the shipped wrapper only when it fits the config', () => {
    assert.equal(scriptOf(base), '/usr/lib/ha-tool/dnsmasq-script')
    assert.equal(scriptOf(base, '/etc/ha-tool/config.toml'), '/usr/lib/ha-tool/dnsmasq-script')
    for (const [c, path] of [[cfg({state: {dir: '/run/gw'}}), undefined], [cfg({doctor: {binary: '/usr/local/sbin/ha-tool'}}), undefined], [base, '/etc/ha-tool/gw.toml']] as const) {
      assert.equal(scriptOf(c, path), '/etc/ha-tool/dnsmasq-script')
      const text = buildExample('dnsmasq', c, path)
      assert.match(text, /^# +\S*ha-tool config example dnsmasq-script.* > \/etc\/ha-tool\/dnsmasq-script$/m, 'the comment says how to make it')
    }
  })

  test('scriptHookConfig: the config the wrapper\'s hook reads', () => {
    assert.equal(scriptHookConfig(readFileSync(`${ROOT}scripts/packaging/dnsmasq-script`, 'utf8')), null, 'the shipped one: the default')
    assert.equal(scriptHookConfig(buildExample('dnsmasq-script', base, '/etc/ha-tool/gw 1.toml')), '/etc/ha-tool/gw 1.toml')
    assert.equal(scriptHookConfig('exec /usr/sbin/ha-tool leases hook --config=/a.toml "$@"\n'), '/a.toml')
    assert.equal(scriptHookConfig('HA_TOOL_CONFIG=/b.toml exec /x/ha-tool leases hook "$@"\n'), '/b.toml')
    assert.equal(scriptHookConfig('#!/bin/sh\nexec logger "$@"\n'), undefined, 'no hook: nothing to compare')
  })

  test('scriptStateDir: only a state_dir= line of one shell word', () => {
    assert.equal(scriptStateDir('#!/bin/sh\nexec /usr/sbin/ha-tool leases hook "$@"\n'), undefined)
    assert.equal(scriptStateDir('state_dir=/run/x\n'), '/run/x')
    assert.equal(scriptStateDir("state_dir='/a b'\n"), '/a b')
    assert.equal(scriptStateDir('state_dir=$(echo x)\n'), undefined)
  })
})

describe('the dnsmasq release the dnsmasq example needs', () => {
  const needs = (c: Config) => dnsmasqNeeds(parseDnsmasqConf(buildExample('dnsmasq', c, '/x.toml')))
  const dual = cfg({lan: {ipv6: true, vip6: 'fd00:1::1/64'}, keepalived: {instance: 'VI_gateway'}})

  test('lan.ipv6 needs 2.90 (no-dhcpv6-interface), the IPv4-only example 2.63 (bind-dynamic)', () => {
    assert.deepEqual(needs(dual)[0], {option: 'no-dhcpv6-interface', what: 'no-dhcpv6-interface', since: [2, 90]})
    assert.deepEqual(needs(dual).map((n) => n.what), ['no-dhcpv6-interface', 'ra-param', 'dhcp-range=...,constructor:', 'bind-dynamic', 'dhcp-range=...,ra-stateless', 'enable-ra', 'dhcp-option=option6:'])
    assert.deepEqual(needs(base).map((n) => n.what), ['bind-dynamic'])
    assert.deepEqual(needs(cfg({dnsmasq: {stop_on_backup: false, apply: 'dbus', dbus_name: 'org.example.dns'}})).map((n) => n.what), ['bind-dynamic', 'enable-dbus=<service name>', 'dhcp-match=set:<tag>', 'dhcp-range=tag:<tag>'])
  })

  test('Debian 12\'s 2.89 falls short of the dual-stack example only; 2.90 of none', () => {
    assert.deepEqual(unmetNeeds(needs(dual), [2, 89]).map((n) => n.what), ['no-dhcpv6-interface'])
    assert.deepEqual(unmetNeeds(needs(base), [2, 89]), [])
    assert.deepEqual(unmetNeeds(needs(dual), [2, 90]), [])
    assert.deepEqual(unmetNeeds(needs(base), [2, 62]).map((n) => n.what), ['bind-dynamic'])
    assert.deepEqual(unmetNeeds(needs(dual), [3, 0]), [])
  })

  test('every option the example prints, in any variant, is in the table or older than 2.53', () => {
    // From dnsmasq's CHANGELOG: all of these came before 2.53.
    const older = new Set(['interface', 'listen-address', 'no-dhcp-interface', 'dhcp-option', 'dhcp-range', 'dhcp-lease-max', 'dhcp-leasefile', 'leasefile-ro', 'dhcp-script', 'dhcp-authoritative', 'pid-file', 'enable-dbus', 'dhcp-match'])
    const tabled = new Set(['no-dhcpv6-interface', 'ra-param', 'bind-dynamic', 'enable-ra'])
    const variants = [base, dual, cfg({dnsmasq: {stop_on_backup: false, leasefile_ro: true, lease_max: 0, apply: 'restart'}}), cfg({wan: {dhcpv6: false}, lan: {ipv6: true, vip6: 'fd00:1::1/64'}, keepalived: {instance: 'VI_gateway'}})]
    for (const c of variants) {
      for (const o of parseDnsmasqConf(buildExample('dnsmasq', c, '/x.toml'))) assert.ok(older.has(o.name) || tabled.has(o.name), `${o.name}: which dnsmasq brought it?`)
    }
  })

  test('parseDnsmasqVersion', () => {
    assert.deepEqual(parseDnsmasqVersion('Dnsmasq version 2.90  Copyright (c) 2000-2024 Simon Kelley\nCompile time options: IPv6'), [2, 90])
    assert.deepEqual(parseDnsmasqVersion('Dnsmasq version 2.86rc3  Copyright'), [2, 86])
    assert.equal(parseDnsmasqVersion('dnsmasq: unrecognized option'), undefined)
  })
})
