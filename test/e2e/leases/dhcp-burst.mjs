// Many DHCP clients at once, for test/e2e/leases/lab-burst.test.ts: each one a DISCOVER, the OFFER of
// the server asked for, a REQUEST and its ACK (RFC 2131), with its own MAC, over one UDP socket on
// port 68 with the broadcast flag set (so the server's answers reach it without an address).
// Run inside the client's namespace (no other DHCP client there):
//   node dhcp-burst.mjs COUNT SPREAD_MS SERVER_ID[,SERVER_ID...] [FIRST]
// (FIRST: the clients are numbered FIRST+1.. for their MACs and xids; default 0.)
// Prints JSON: {clients: [{mac, ip, server, ackAt}], failed: [{mac, why}], naks: [{mac, ip}], firstAt, lastAckAt}
// (times: epoch ms; server: the server id of the ACK). Each client takes the first OFFER from one of the
// SERVER_IDs; after a NAK it starts over with a new DISCOVER (RFC 2131 4.4.1), at most 3 times.
import dgram from 'node:dgram'

const [count, spreadMs, servers, first] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4].split(','), Number(process.argv[5] ?? 0)]
const sock = dgram.createSocket({type: 'udp4', reuseAddr: true})
const macOf = (i) => [0x02, 0x42, 0x00, 0x00, (i >> 8) & 255, i & 255]
const macText = (m) => m.map((b) => b.toString(16).padStart(2, '0')).join(':')
const ipBytes = (ip) => ip.split('.').map(Number)

function packet(type, xid, mac, extra) {
  const b = Buffer.alloc(300)
  b[0] = 1 // BOOTREQUEST
  b[1] = 1 // Ethernet
  b[2] = 6
  b.writeUInt32BE(xid, 4)
  b.writeUInt16BE(0x8000, 10) // broadcast: answer to 255.255.255.255
  Buffer.from(mac).copy(b, 28)
  b.writeUInt32BE(0x63825363, 236) // magic cookie
  const opts = [53, 1, type, ...extra, 55, 2, 1, 3, 255]
  Buffer.from(opts).copy(b, 240)
  return b
}

/** The reply's DHCP message type, server id and offered address; undefined when it is not a DHCP reply. */
function parse(b) {
  if (b.length < 244 || b[0] !== 2 || b.readUInt32BE(236) !== 0x63825363) return undefined
  const r = {xid: b.readUInt32BE(4), yiaddr: [...b.subarray(16, 20)].join('.')}
  for (let k = 240; k < b.length && b[k] !== 255;) {
    if (b[k] === 0) { k++; continue }
    const [code, len] = [b[k], b[k + 1]]
    if (code === 53) r.type = b[k + 2]
    if (code === 54) r.server = [...b.subarray(k + 2, k + 6)].join('.')
    k += 2 + len
  }
  return r
}

const clients = new Map() // xid -> state
const done = []
const failed = []
let lastAckAt = 0
const send = (b) => sock.send(b, 67, '255.255.255.255')

const naks = [] // {mac, ip}: a REQUEST refused; the client started over (RFC 2131 4.4.1), as real ones do
const MAX_NAKS = 3
/** Each configuration attempt has its own transaction id, so a late OFFER of an earlier one is not taken. */
const xidOf = (i, attempt) => (0x5a000000 + (attempt << 20) + i) >>> 0

function start(i) {
  const mac = macOf(i)
  const xid = xidOf(i, 0)
  const c = {i, mac, xid, state: 'discover', tries: 0, naks: 0, timer: undefined}
  clients.set(xid, c)
  const step = () => {
    if (c.state === 'done') return
    if (++c.tries > 6) {
      failed.push({mac: macText(mac), why: `no ${c.state === 'request' ? 'ACK' : 'OFFER'} after 6 tries`})
      c.state = 'done'
      return finish()
    }
    send(c.state === 'discover' ? packet(1, c.xid, mac, []) : packet(3, c.xid, mac, [50, 4, ...ipBytes(c.ip), 54, 4, ...ipBytes(c.server), 12, 8, ...Buffer.from(`burst${String(i).padStart(3, '0')}`)]))
    c.timer = setTimeout(step, 1000)
  }
  c.step = step
  step()
}

sock.on('message', (b) => {
  const r = parse(b)
  const c = r && clients.get(r.xid)
  if (!c || c.state === 'done') return
  if (c.state === 'discover' && r.type === 2 && servers.includes(r.server)) {
    Object.assign(c, {state: 'request', ip: r.yiaddr, server: r.server, tries: 0})
    clearTimeout(c.timer)
    c.step()
  } else if (c.state === 'request' && r.server === c.server && (r.type === 5 || r.type === 6)) {
    clearTimeout(c.timer)
    if (r.type === 6 && c.naks < MAX_NAKS) {
      // Likely dnsmasq offering one address to two clients at once (the lab runs it with --no-ping, and an
      // OFFER holds nothing): the later REQUEST is refused. Start over with a new transaction.
      naks.push({mac: macText(c.mac), ip: c.ip})
      c.naks++
      clients.delete(c.xid)
      Object.assign(c, {state: 'discover', xid: xidOf(c.i, c.naks), tries: 0, ip: undefined, server: undefined})
      clients.set(c.xid, c)
      c.step()
      return
    }
    c.state = 'done'
    if (r.type === 5) {
      lastAckAt = Date.now()
      done.push({mac: macText(c.mac), ip: r.yiaddr, server: c.server, ackAt: lastAckAt})
    } else failed.push({mac: macText(c.mac), why: `NAK for ${c.ip}, ${MAX_NAKS + 1} times`})
    finish()
  }
})

const firstAt = Date.now()
function finish() {
  if (done.length + failed.length < count) return
  process.stdout.write(`${JSON.stringify({clients: done, failed, naks, firstAt, lastAckAt})}\n`)
  sock.close()
}

sock.bind(68, () => {
  sock.setBroadcast(true)
  for (let i = 0; i < count; i++) setTimeout(() => start(first + i + 1), Math.round((i * spreadMs) / count))
})
