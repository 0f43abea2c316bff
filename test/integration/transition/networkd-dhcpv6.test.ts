// One DHCPv6 identity: the WAN .network that `config example networkd` prints, run by the real
// systemd-networkd 252, solicits a delegated prefix as DUID-LL of the WAN's MAC with IAID =
// wan.dhcpv6_iaid (so two nodes with the cloned MAC are one client). The Solicit is caught on the
// ISP side of the link and decoded.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {describe, it} from 'node:test'
import {networkdLabSkipReason, withNetworkdLab} from '../../support/networkd-lab.js'
import {ensureBuilt} from '../../support/spawn.js'

const skip = networkdLabSkipReason()

/** Listens on [ff02::1:2]:547 on isp0 inside the ISP namespace and prints the first message as hex. */
const LISTENER = `
const s = require('node:dgram').createSocket({type: 'udp6', reuseAddr: true})
const t = setTimeout(() => process.exit(3), 15000)
s.on('message', (m) => { if (m[0] === 1) { process.stdout.write(m.toString('hex')); clearTimeout(t); process.exit(0) } })
s.bind(547, () => { s.addMembership('ff02::1:2', '::%isp0'); process.stdout.write('ready\\n') })
`

/** DHCPv6 options of a client message: code -> data. */
function options(msg: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>()
  for (let i = 4; i + 4 <= msg.length;) {
    const code = msg.readUInt16BE(i)
    const len = msg.readUInt16BE(i + 2)
    out.set(code, msg.subarray(i + 4, i + 4 + len))
    i += 4 + len
  }
  return out
}

describe('config example networkd: one DHCPv6 identity, seen on the wire', {skip, timeout: 60_000}, () => {
  for (const iaid of [1, 3735928559]) {
    it(`Solicit carries DUID-LL of the WAN MAC, IAID ${iaid} and asks for a prefix (IA_PD)`, async () => {
      ensureBuilt()
      {
        await withNetworkdLab('hat-v6-nd', {wan: `dhcpv6_iaid = ${iaid}`}, async (lab) => {
          assert.match(lab.wanNetwork, /^DUIDType=link-layer$/m)
          const mac = (JSON.parse(lab.ip('-j', 'link', 'show', 'dev', 'wan0')) as Array<{address: string}>)[0].address
          const listener = spawn('ip', ['netns', 'exec', lab.isp, process.execPath, '-e', LISTENER], {stdio: ['ignore', 'pipe', 'pipe']})
          let out = ''
          listener.stdout.on('data', (d: Buffer) => { out += d.toString() })
          const code = await new Promise<number | null>((resolve) => listener.on('exit', resolve))
          assert.equal(code, 0, `no DHCPv6 Solicit from networkd within 15 s (${out})`)
          const msg = Buffer.from(out.replace(/^ready\n/, ''), 'hex')
          const opts = options(msg)
          const duid = opts.get(1)
          assert.ok(duid, 'no client identifier')
          // DUID-LL: type 3, hardware type 1 (Ethernet), the MAC.
          assert.equal(duid.readUInt16BE(0), 3, `DUID type ${duid.readUInt16BE(0)}, not link-layer (3): ${duid.toString('hex')}`)
          assert.equal(duid.readUInt16BE(2), 1)
          assert.equal(duid.subarray(4).toString('hex'), mac.replaceAll(':', ''))
          const pd = opts.get(25)
          assert.ok(pd, 'no IA_PD: networkd did not ask for a delegated prefix')
          assert.equal(pd.readUInt32BE(0), iaid)
        })
      }
    })
  }
})
