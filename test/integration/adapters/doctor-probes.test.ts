// doctor's dnsmasq --version probe against the installed dnsmasq: the release it reads is the one dnsmasq
// names, and the dnsmasq-version check judges the dual-stack example with it (no-dhcpv6-interface, 2.90).
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {describe, test} from 'node:test'
import {createDoctorProbes} from '../../../src/adapters/doctor-probes.js'
import {createExec, type Exec} from '../../../src/adapters/exec.js'
import {parseDnsmasqVersion, versionText} from '../../../src/core/doctor/dnsmasq-version.js'
import {check, doctor, goodNode, keepalivedOk, nodeConfig} from '../../app/doctor/fixture.js'

const installed = spawnSync('dnsmasq', ['--version'], {encoding: 'utf8'})
const skip = installed.status !== 0 ? 'dnsmasq is not installed' : undefined
if (skip) console.warn(`# SKIPPED doctor probe tests: ${skip}`)

describe('doctor probes against the installed dnsmasq', {skip}, () => {
  const exec = createExec()

  test('dnsmasq --version: the release on its first line', async () => {
    const text = await createDoctorProbes(exec).dnsmasqVersion()
    const v = parseDnsmasqVersion(text)
    assert.ok(v, text)
    assert.equal(`Dnsmasq version ${versionText(v)}`, /^Dnsmasq version \d+\.\d+/.exec(installed.stdout)?.[0])
  })

  test('dnsmasq-version judges the dual-stack example against it (2.90 or later passes, older fails naming no-dhcpv6-interface)', async () => {
    const c = nodeConfig()
    const node = goodNode({...c, lan: {...c.lan, ipv6: true, vip6: 'fd00:1::1/64'}, keepalived: {...c.keepalived, instance: 'VI_gateway'}})
    try {
      // The real dnsmasq for its version; keepalived faked (not what this test is about).
      const real: Exec = async (argv, opts) => (keepalivedOk(argv) ? {argv, code: 0, signal: null, stdout: '', stderr: '', timedOut: false, durationMs: 1} : exec(argv, opts))
      const r = check(await doctor(node, {exec: real}), 'dnsmasq-version')
      const v = parseDnsmasqVersion(installed.stdout)!
      const recent = v[0] > 2 || (v[0] === 2 && v[1] >= 90)
      assert.equal(r.status, recent ? 'pass' : 'fail', r.detail)
      assert.match(r.detail, recent ? new RegExp(`^dnsmasq ${versionText(v).replace('.', '\\.')}; the example needs 2\\.90 \\(no-dhcpv6-interface\\)$`) : /no-dhcpv6-interface \(dnsmasq 2\.90\)/)
    } finally {
      node.cleanup()
    }
  })
})
