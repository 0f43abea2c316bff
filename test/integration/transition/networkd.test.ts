// Transitions against the real systemd-networkd 252 over D-Bus (test/support/networkd-lab.ts):
// both wan.link_via backends, renew and reconfigure, and what the user sees when networkd or the
// bus is missing.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {networkdLabSkipReason, type NetworkdLab, withNetworkdLab} from '../../support/networkd-lab.js'
import {assertJsonContract} from '../../support/json-contract.js'
import {BIN, ensureBuilt} from '../../support/spawn.js'

const skip = networkdLabSkipReason()
// The WAN .network is the shipped example's for these [wan] keys (ActivationPolicy=manual with netlink).
const NETLINK = 'link = "down-on-backup"\nlink_via = "netlink"\ndhcpv6 = false'
const NETWORKD = 'link = "down-on-backup"\nlink_via = "networkd"'

type Result = {code: number; json: {exit: number; steps: Array<{kind: string; status: string; error?: string; detail?: string}>}; stderr: string}

function notify(lab: NetworkdLab, configExtra: string, role: string, env: NodeJS.ProcessEnv = {}): Result {
  const config = join(lab.dir, 'ha.toml')
  writeFileSync(config, `[wan]\ninterface = "wan0"\nnetworkd_runtime_dir = "${lab.runtimeDir}"\n${configExtra.includes('up_timeout_ms') ? '' : 'up_timeout_ms = 8000\n'}${configExtra}\n[state]\ndir = "${join(lab.dir, 'state')}"\n[keepalived]\ndbus = false\n`)
  try {
    const out = execFileSync('ip', ['netns', 'exec', lab.rtr, process.execPath, BIN, 'notify', '--config', config, '--json', role], {encoding: 'utf8', env: {...process.env, DBUS_SYSTEM_BUS_ADDRESS: lab.busAddress, ...env}, stdio: ['ignore', 'pipe', 'pipe']})
    return {code: 0, json: assertJsonContract('notify', out) as Result['json'], stderr: ''}
  } catch (error) {
    const e = error as {status: number; stdout: string; stderr: string}
    return {code: e.status, json: assertJsonContract('notify', e.stdout) as Result['json'], stderr: e.stderr}
  }
}
const linkUp = (lab: NetworkdLab) => /[<,]UP[,>]/.test(lab.ip('link', 'show', 'dev', 'wan0'))
const rules = (lab: NetworkdLab) => lab.ip('rule', 'show').split('\n').filter((l) => /^32770:.*lookup 250/.test(l)).length
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('transitions with the real systemd-networkd', {skip, timeout: 180_000}, () => {
  it('link_via = netlink with ActivationPolicy=manual: down stays down, up gets the lease back, renew reaches networkd', async () => {
    ensureBuilt()
    await withNetworkdLab('hat-t3-ndn', {wan: NETLINK}, async (lab) => {
      lab.ip('link', 'set', 'wan0', 'up')
      await lab.waitLease()
      const extra = `${NETLINK}\nrenew = "networkd"`
      const b = notify(lab, extra, 'backup')
      assert.equal(b.code, 0, JSON.stringify(b.json))
      assert.equal(linkUp(lab), false)
      await lab.stopNetworkd() // a networkd restart must not bring a BACKUP's WAN back
      await lab.startNetworkd()
      await sleep(1500)
      assert.equal(linkUp(lab), false, 'networkd brought the BACKUP WAN up')
      const requestsBefore = (lab.dnsmasqLog().match(/DHCPREQUEST/g) ?? []).length
      const m = notify(lab, extra, 'master')
      assert.equal(m.code, 0, JSON.stringify(m.json))
      // The IPv4 rule, then the IPv6 one (wan.ipv6 is on by default).
      assert.deepEqual(m.json.steps.map((s) => `${s.kind}:${s.status}`), ['link.up:ok', 'renew:ok', 'wait.wan:ok', 'rule.add:ok', 'rule.add:ok'])
      assert.match(lab.ip('-4', 'addr', 'show', 'dev', 'wan0'), /inet 198\.51\.100\./)
      assert.match(lab.ip('route', 'show', 'table', 'all', 'default'), /default via 198\.51\.100\.1/)
      assert.equal(rules(lab), 1)
      assert.ok((lab.dnsmasqLog().match(/DHCPREQUEST/g) ?? []).length > requestsBefore, 'no DHCPREQUEST reached the ISP side')
    })
  })

  it('link_via = networkd: a runtime drop-in and Reload take the link down and up; an unchanged drop-in is not rewritten', async () => {
    await withNetworkdLab('hat-t3-ndd', {wan: NETWORKD}, async (lab) => {
      await lab.waitLease()
      const extra = NETWORKD
      const b = notify(lab, extra, 'backup')
      assert.equal(b.code, 0, JSON.stringify(b.json))
      // The drop-in goes beside the file networkd names for the link (DescribeLink): the example's.
      const dropin = join(lab.runtimeDir, `${lab.wanFile}.d`, 'ha-tool.conf')
      assert.equal(lab.wanFile, '10-wan0-wan.network')
      assert.match(readFileSync(dropin, 'utf8'), /\[Link\]\nActivationPolicy=down\n/)
      assert.equal(statSync(dropin).mode & 0o777, 0o644)
      for (let i = 0; i < 100 && linkUp(lab); i++) await sleep(20)
      assert.equal(linkUp(lab), false, 'networkd did not take the link down')
      await lab.stopNetworkd()
      await lab.startNetworkd()
      await sleep(1500)
      assert.equal(linkUp(lab), false, 'a networkd restart brought the WAN up while the drop-in says down')
      const m = notify(lab, extra, 'master')
      assert.equal(m.code, 0, JSON.stringify(m.json))
      assert.match(readFileSync(dropin, 'utf8'), /ActivationPolicy=up/)
      assert.match(lab.ip('route', 'show', 'table', 'all', 'default'), /default via/)
      assert.equal(rules(lab), 1)
      // MASTER again, with the WAN down behind our back: the drop-in already says up.
      const mtime = statSync(dropin).mtimeMs
      lab.ip('link', 'set', 'wan0', 'down')
      const again = notify(lab, extra, 'master')
      assert.equal(statSync(dropin).mtimeMs, mtime, 'an identical drop-in was rewritten')
      assert.match(again.json.steps.find((s) => s.kind === 'link.up')?.detail ?? '', /already says up/)
    })
  })

  it('a table that lost its default route gets a ReconfigureLink and a fresh lease', async () => {
    await withNetworkdLab('hat-t3-ndr', {wan: NETLINK}, async (lab) => {
      lab.ip('link', 'set', 'wan0', 'up')
      await lab.waitLease()
      lab.ip('route', 'del', 'default', 'table', '250')
      const discovers = (lab.dnsmasqLog().match(/DHCPDISCOVER/g) ?? []).length
      const m = notify(lab, 'renew = "networkd"', 'master')
      assert.equal(m.code, 0, JSON.stringify(m.json))
      assert.match(m.json.steps.find((s) => s.kind === 'renew')?.detail ?? '', /ReconfigureLink/)
      assert.match(lab.ip('route', 'show', 'table', 'all', 'default'), /default via/)
      assert.ok((lab.dnsmasqLog().match(/DHCPDISCOVER/g) ?? []).length > discovers, 'no new DHCP exchange')
    })
  })

  it('networkd not running, or no bus: the renew step fails with its own message and the rest still runs (exit 3)', async () => {
    await withNetworkdLab('hat-t3-nde', {wan: NETLINK}, async (lab) => {
      lab.ip('link', 'set', 'wan0', 'up')
      await lab.waitLease()
      await lab.stopNetworkd()
      // networkd may drop its DHCP routes as it exits; either way table 250 has none now.
      try { lab.ip('route', 'del', 'default', 'table', '250') } catch { /* already gone */ }
      const extra = 'renew = "networkd"\nup_timeout_ms = 300'
      const gone = notify(lab, extra, 'master')
      assert.equal(gone.code, 3)
      assert.match(gone.json.steps.find((s) => s.kind === 'renew')!.error!, /org\.freedesktop\.network1 is not running on the system bus/)
      assert.equal(rules(lab), 1)
      const noBus = notify(lab, extra, 'master', {DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${join(lab.dir, 'nothing-here')}`})
      assert.equal(noBus.code, 3)
      assert.match(noBus.json.steps.find((s) => s.kind === 'renew')!.error!, /no system bus at unix:path=.*nothing-here/)
    })
  })
})
