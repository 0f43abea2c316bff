// Study (issue 19, the DHCPv6 question): how long a keep-up node that was BACKUP (WAN silenced) for SECONDS takes,
// after `ha-tool notify master`, to hold its delegated prefix again, against the real networkd 252 and Kea
// (test/support/pd-lab.ts). While silenced, networkd's DHCPv6 client retransmits its Solicit with exponential
// backoff (RFC 8415: up to SOL_MAX_RT, 3600 s), so the first Solicit after the silence lifts may come late.
// Variant `--renew`: wan.renew = "networkd" (networkd in use: a node without a prefix has its DHCP clients
// restarted, docs/ipv6.md; without it ha-tool does not talk to networkd).
// usage (root, under flock /tmp/hat-ns.lock): node --import tsx scripts/bench/dhcpv6-backoff-study.ts SECONDS [--renew]
import {setTimeout as sleep} from 'node:timers/promises'
import {withPdLab} from '../../test/support/pd-lab.js'

const seconds = Number(process.argv[2] ?? 60)
const renew = process.argv.includes('--renew')
await withPdLab('hat-pdb', {pool: '2001:db8:100::/48', delegatedLength: 56, link: 'keep-up', startNetworkd: false, wan: `up_timeout_ms = 20000\nrenew = "${renew ? 'networkd' : 'none'}"`}, async (lab) => {
  const gw = lab.gateways[0]
  const b = gw.haTool(['notify', '--config', gw.config, 'backup'])
  if (b.code !== 0) throw new Error(b.stderr)
  await gw.startNetworkd()
  const silencedAt = Date.now()
  await sleep(seconds * 1000)
  const solicits = (gw.networkdLog().match(/DHCPv6 client: Sent Solicit/g) ?? []).length
  const started = Date.now()
  const m = gw.haTool(['notify', '--config', gw.config, '--json', 'master'])
  const notifyMs = Date.now() - started
  let d
  try { d = await gw.waitDelegation(600_000) } catch { d = undefined }
  const log = gw.networkdLog().split('\n').filter((l) => /DHCPv6 client: Sent Solicit/.test(l))
  console.log(JSON.stringify({silencedS: Math.round((started - silencedAt) / 1000), solicitsWhileSilenced: solicits, notifyCode: m.code, notifyMs, prefixAfterMs: d ? Date.now() - started : null, prefix: d?.prefix, renew, lastSolicits: log.slice(-4)}))
})
