#!/usr/bin/env node
// What a LAN client sees (runs in hat-client): one UDP flow (fixed source port) and one TCP
// connection, each sending a sequence number every INTERVAL ms to the echo server. Prints
// `ready` once both answer, then on stdin end or SIGTERM one JSON line with every receive time
// (epoch ms, fractional) so the lab computes the outage against its own failover timestamps.
// usage: probe.mjs ADDRESS UDP_PORT TCP_PORT INTERVAL_MS (ADDRESS IPv4 or IPv6)
import {createSocket} from 'node:dgram'
import {connect, isIPv6} from 'node:net'

const [address, udpPort, tcpPort, intervalArg] = process.argv.slice(2)
const interval = Number(intervalArg ?? 5)
const now = () => performance.timeOrigin + performance.now()
const out = {udpSent: 0, udpRecv: [], tcpSent: 0, tcpRecv: [], tcpError: null, tcpClosedAt: null, tcpConnectedAt: null, startedAt: now()}
let ready = false

const udp = createSocket(isIPv6(address) ? 'udp6' : 'udp4')
udp.on('message', () => { out.udpRecv.push(now()); maybeReady() })
udp.on('error', () => {})
udp.bind(0)

const tcp = connect({host: address, port: Number(tcpPort)}, () => { out.tcpConnectedAt = now(); tcp.setNoDelay(true) })
let buffered = ''
tcp.on('data', (d) => {
  buffered += d.toString()
  let i
  while ((i = buffered.indexOf('\n')) >= 0) { buffered = buffered.slice(i + 1); out.tcpRecv.push(now()) }
  maybeReady()
})
tcp.on('error', (e) => { out.tcpError ??= e.code ?? e.message })
tcp.on('close', () => { out.tcpClosedAt ??= now() })

function maybeReady() {
  if (!ready && out.udpRecv.length >= 5 && out.tcpRecv.length >= 5) { ready = true; process.stdout.write('ready\n') }
}

const timer = setInterval(() => {
  const seq = Buffer.from(String(out.udpSent++))
  udp.send(seq, Number(udpPort), address, () => {})
  if (out.tcpConnectedAt !== null && out.tcpClosedAt === null) tcp.write(`${out.tcpSent++}\n`)
}, interval)

let done = false
function finish() {
  if (done) return
  done = true
  clearInterval(timer)
  out.stoppedAt = now()
  process.stdout.write(JSON.stringify(out) + '\n', () => process.exit(0))
}
process.stdin.on('end', finish)
process.stdin.on('error', finish)
process.stdin.resume()
process.on('SIGTERM', finish)
